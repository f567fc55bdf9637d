import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { parseLine } from "../../repl/parser.ts";
import { wordShape } from "../../repl/commands/index.ts";

const MAP =
  "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";

/** Runs lines; returns the output of the last one (the session may answer later). */
async function last(s: Session, ...lines: string[]): Promise<string[]> {
  let out: string[] = [];
  for (const l of lines) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.error?.message}`);
    out = r.output;
  }
  return out;
}

Deno.test("views --json: the flag is a word of its own anywhere after the name", () => {
  const words = (line: string) => {
    const st = parseLine(line, wordShape);
    assert.equal(st.type, "command");
    return st.type === "command" ? st.args.map((a) => a.type === "word" ? a.text : "expr") : [];
  };
  assert.deepEqual(words("maps --json"), ["--json"]);
  assert.deepEqual(words("smaps a 4K --json"), ["expr", "expr", "--json"]);
  assert.deepEqual(words("smaps --json a 4K"), ["expr", "expr", "--json"]);
  assert.deepEqual(words("pages a, 8K --json # a comment --json"), ["expr", "expr", "--json"]);
  // Not a flag: part of an expression, or after the comment sign.
  assert.deepEqual(words("maps a --b"), ["expr"]);
  assert.deepEqual(words("maps # --json"), []);
  // A command without flags reads it as before (an expression).
  assert.throws(() => parseLine("quit --json", wordShape), /too many arguments for quit/);
});

Deno.test("maps --json prints the entries the text shows, range filtered on data", async () => {
  const s = new Session();
  await last(s, MAP, "mprotect(a + 4K, 4K, PROT_READ)");
  const text = await last(s, "maps a 16K");
  assert.equal(text.length, 3);
  const json = JSON.parse((await last(s, "maps a 16K --json")).join("\n"));
  assert.deepEqual(json, [
    {
      start: 0x7f0000000000,
      end: 0x7f0000001000,
      perms: "rw-p",
      pgoff: 0,
      dev: "00:00",
      inode: 0,
      name: "",
    },
    {
      start: 0x7f0000001000,
      end: 0x7f0000002000,
      perms: "r--p",
      pgoff: 0,
      dev: "00:00",
      inode: 0,
      name: "",
    },
    {
      start: 0x7f0000002000,
      end: 0x7f0000004000,
      perms: "rw-p",
      pgoff: 0,
      dev: "00:00",
      inode: 0,
      name: "",
    },
  ]);
  // The range meets only the middle VMA; the whole file ends with the gate area.
  assert.equal(JSON.parse((await last(s, "maps a + 4K 1 --json")).join("\n")).length, 1);
  const all = JSON.parse((await last(s, "maps --json")).join("\n"));
  assert.equal(all.length, (await last(s, "maps")).length);
  assert.equal(all.at(-1).name, "[vsyscall]");
});

Deno.test("smaps, pages, ps, meminfo, status --json: keys in a fixed order", async () => {
  const s = new Session();
  await last(s, MAP, "poke(a, 1)");
  const smaps = JSON.parse((await last(s, "smaps a --json")).join("\n"));
  assert.equal(smaps.length, 1);
  assert.deepEqual(Object.keys(smaps[0]), ["vma", "kb", "thpEligible", "vmFlags"]);
  assert.deepEqual(Object.keys(smaps[0].kb).slice(0, 5), [
    "Size",
    "KernelPageSize",
    "MMUPageSize",
    "Rss",
    "Pss",
  ]);
  assert.equal(smaps[0].kb.Rss, 4);
  assert.deepEqual(smaps[0].vmFlags, ["rd", "wr", "mr", "mw", "me", "ac"]);
  const pages = JSON.parse((await last(s, "pages a 8K --json")).join("\n"));
  assert.deepEqual(pages.map((r: { pte: string }) => r.pte), ["present", "none"]);
  assert.equal(pages[0].access, "rw");
  assert.equal(pages[0].kind, "anon");
  assert.equal(pages[1].ref, null);
  const ps = JSON.parse((await last(s, "ps --json")).join("\n"));
  assert.deepEqual(ps.map((r: { pid: number; stat: string }) => [r.pid, r.stat]), [[1, "R"]]);
  const mi = JSON.parse((await last(s, "meminfo --json")).join("\n"));
  assert.deepEqual(Object.keys(mi).slice(0, 3), ["MemTotal", "MemFree", "MemAvailable"]);
  assert.equal(mi.AnonPages, 4);
  const st = JSON.parse((await last(s, "status --json")).join("\n"));
  assert.equal(Object.keys(st)[0], "VmSize");
  assert.equal(st.RssAnon, 4);
});

Deno.test("help shows the --json option", async () => {
  const s = new Session();
  const help = await last(s, "help maps");
  assert.equal(help[0], "maps [ADDR] [LEN] [--json]");
  assert.ok(help.includes("Options:"));
  assert.ok(help.some((l) => l.includes("mm> maps a 16K --json")));
});
