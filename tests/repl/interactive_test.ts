import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { colours } from "../../repl/colour.ts";
import {
  banner,
  historyPath,
  loadHistory,
  saveHistory,
  startInteractive,
} from "../../repl/interactive.ts";
import { Session } from "../../repl/session.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Starts the REPL on in-memory streams; keys go in one write each. */
function repl(historyFile: string | null = null) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => (text += d.toString()));
  const session = new Session();
  const done = startInteractive({
    session,
    input,
    output,
    terminal: true,
    historyFile,
    colours: colours(false),
  });
  const keys = async (...ks: string[]) => {
    for (const k of ks) {
      input.write(k);
      await tick();
    }
  };
  const type = (s: string) => keys(...s);
  return { input, output: () => text, session, done, keys, type };
}

Deno.test("interactive: Tab completes, Enter runs, the prompt follows the pid", async () => {
  const r = repl();
  await r.type("mpr");
  await r.keys("\t");
  await r.type("0, 4K, PROT_RE");
  await r.keys("\t", ")", "\r");
  assert.match(r.output(), /mprotect\(0, 4K, PROT_READ\)/);
  assert.match(r.output(), /= -1 ENOMEM \(Cannot allocate memory\)/);
  await r.type("c = fork()\r");
  await r.type("@c\r");
  assert.ok(r.output().endsWith("[2] mm> \x1b[9G"), JSON.stringify(r.output().slice(-40)));
  await r.type("quit\r");
  await r.done;
});

Deno.test("interactive: an error gets a caret under its column", async () => {
  const r = repl();
  await r.type("getpid(1 + $)\r");
  assert.match(r.output(), /\n {19}\^\nerror at column 12: unexpected character '\$'\n/);
  r.input.end();
  await r.done;
});

Deno.test("interactive: Ctrl-C clears the line, Ctrl-D leaves", async () => {
  const r = repl();
  await r.type("half typed");
  await r.keys("\x03");
  await r.type("getpid()\r");
  assert.match(r.output(), /\^C\n/);
  assert.match(r.output(), /= 1\n/);
  assert.doesNotMatch(r.output(), /unknown name half/);
  await r.keys("\x04");
  await r.done;
});

Deno.test("interactive: history persists and Up recalls it", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/hist`;
  const r = repl(file);
  await r.type("getpid()\r");
  await r.type("x = 42\r");
  await r.keys("\x04");
  await r.done;
  assert.equal(await Deno.readTextFile(file), "getpid()\nx = 42\n");
  const r2 = repl(file);
  await r2.keys("\x1b[A", "\x1b[A", "\r");
  assert.match(r2.output(), /getpid\(\)[^\n]*\n= 1\n/);
  await r2.keys("\x04");
  await r2.done;
  await Deno.remove(dir, { recursive: true });
});

Deno.test("history: no HOME means no history; an unwritable file is ignored", () => {
  assert.equal(historyPath(() => undefined), null);
  assert.equal(
    historyPath((n) => (n === "HOME" ? "/home/u" : undefined)),
    "/home/u/.mmlab_history",
  );
  assert.equal(historyPath((n) => (n === "MMLAB_HISTORY" ? "/tmp/h" : "/home/u")), "/tmp/h");
  assert.equal(historyPath((n) => (n === "MMLAB_HISTORY" ? "" : "/home/u")), null);
  assert.equal(
    historyPath(() => {
      throw new Error("no env permission");
    }),
    null,
  );
  saveHistory("/nonexistent/dir/hist", ["x"]);
  assert.deepEqual(loadHistory("/nonexistent/dir/hist", 10), []);
});

Deno.test("interactive: a banner (version, machine, devices, help hint) comes before the first prompt", async () => {
  const r = repl();
  await tick();
  const lines = r.output().split("\n");
  assert.equal(
    lines[0],
    "mmlab 0.1.0: Linux 6.18 mm on a 1 GiB machine (seed 1), in process 1. " +
      "Type help for the commands, quit to leave.",
  );
  assert.equal(
    lines[1],
    "PCI: 03:00.0 mlx5_core, 03:00.1 mlx5_core, 04:00.0 nvidia, 05:00.0 ixgbe, 06:00.0 nvme " +
      "(lspci -k).",
  );
  assert.equal(
    lines[2],
    "Persistent memory: /mnt/pmem (ext4 -o dax) and /dev/dax0.0 (iomem).",
  );
  // readline moves to column 1 and clears the line before the prompt.
  assert.ok(lines[3].replaceAll("\x1b[1G\x1b[0J", "").startsWith("[1] mm> "), lines[3]);
  r.input.end();
  await r.done;
});

Deno.test("interactive: lines pasted at once run one after another, in order", async () => {
  const r = repl();
  await r.keys("a = 1\rb = a + 1\rc = b * 10\r");
  await tick();
  assert.equal(r.session.vars.get("c"), 20n);
  const out = r.output();
  assert.ok(
    out.indexOf("= 1\n") < out.indexOf("= 2\n") && out.indexOf("= 2\n") < out.indexOf("= 20"),
  );
  r.input.end();
  await r.done;
});

Deno.test("interactive: the banner names the machine the session was built with", () => {
  const s = new Session({ config: { ramBytes: 64 << 20, seed: 7, preset: "linux-5.9" } });
  assert.equal(
    banner(s).split("\n")[0],
    "mmlab 0.1.0: Linux 5.9 mm on a 64 MiB machine (seed 7), in process 1. " +
      "Type help for the commands, quit to leave.",
  );
  // A machine without PCI functions or pmem has a one-line banner.
  const bare = new Session({ config: { pci: "none", pmemBytes: 0 } });
  assert.equal(banner(bare).split("\n").length, 1, banner(bare));
});
