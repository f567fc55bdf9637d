import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { ProgressLine, type ProgressStream, wantsProgress } from "../../repl/progress_line.ts";
import { fuzzReporter } from "../../repl/host/fuzz_progress.ts";
import { startInteractive } from "../../repl/interactive.ts";
import { colours } from "../../repl/colour.ts";
import { Session } from "../../repl/session.ts";

/** A stream that says it is (or is not) a terminal and keeps what is written. */
function fakeStream(terminal: boolean): ProgressStream & { text: () => string } {
  const chunks: Uint8Array[] = [];
  return {
    isTerminal: () => terminal,
    writeSync: (p) => (chunks.push(p.slice()), p.length),
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("progress line: drawn in place on a terminal, erased before output", () => {
  let t = 0;
  const tty = fakeStream(true);
  const line = new ProgressLine(tty, {
    enabled: wantsProgress(tty, () => undefined),
    now: () => t,
  });
  line.draw("a: 1/3");
  t += 10;
  line.draw("a: 2/3"); // too soon: not drawn
  t += 300;
  line.draw("a: 3/3");
  line.clear();
  line.clear(); // nothing drawn since: nothing to erase
  assert.equal(tty.text(), "\r(a: 1/3)\x1b[K\r(a: 3/3)\x1b[K\r\x1b[K");
});

Deno.test("progress line: nothing when piped, or with NO_COLOR or CI set", () => {
  const piped = fakeStream(false);
  const line = new ProgressLine(piped);
  line.draw("x", true);
  line.clear();
  assert.equal(piped.text(), "");
  assert.equal(line.enabled, false);
  const tty = fakeStream(true);
  assert.equal(wantsProgress(tty, (k) => (k === "NO_COLOR" ? "1" : undefined)), false);
  assert.equal(wantsProgress(tty, (k) => (k === "CI" ? "true" : undefined)), false);
  assert.equal(wantsProgress(tty, () => undefined), true);
});

Deno.test("fuzz progress: cases and differences on a terminal; only the lines when piped", () => {
  for (const terminal of [true, false]) {
    const err = fakeStream(terminal);
    const printed: string[] = [];
    const r = fuzzReporter(
      new ProgressLine(err, { enabled: terminal, everyMs: 0 }),
      (s) => printed.push(s),
    );
    r.progress(0, 3, 0);
    r.progress(1, 3, 0);
    r.log("fuzz seed 1 case 1: differs");
    r.progress(2, 3, 1);
    r.progress(3, 3, 1);
    r.end();
    assert.deepEqual(printed, ["fuzz seed 1 case 1: differs"]);
    assert.equal(
      err.text(),
      terminal
        ? "\r(fuzz: 0/3 cases, 0 differ)\x1b[K\r(fuzz: 1/3 cases, 0 differ)\x1b[K\r\x1b[K" +
          "\r(fuzz: 2/3 cases, 1 differ)\x1b[K\r(fuzz: 3/3 cases, 1 differ)\x1b[K\r\x1b[K"
        : "",
    );
  }
});

const tick = () => new Promise((r) => setTimeout(r, 5));

/** The REPL on in-memory streams, as a terminal or not. */
function repl(terminal: boolean) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => (text += d.toString()));
  const session = new Session({ config: { ramBytes: 1 << 30 } });
  // A clock that moves 100 ms each time it is read: progress redraws come
  // after a few steps however fast the machine running the test is.
  let t = 0;
  const done = startInteractive({
    session,
    input,
    output,
    terminal,
    historyFile: null,
    colours: colours(false),
    now: () => (t += 100),
  });
  return { input, done, text: () => text, session };
}

Deno.test("interactive: a long MAP_POPULATE shows its progress on a terminal; Ctrl-C stops it", async () => {
  const r = repl(true);
  // Read faults map the zero page: gigabytes cost page tables only.
  r.input.write("a = mmap(0, 32G, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)\r");
  // Past the first redraw (250 ms on the test's clock), then Ctrl-C.
  for (let i = 0; i < 80 && !r.text().includes("(populate: "); i++) await tick();
  r.input.write("\x03");
  for (const k of "check\r") {
    r.input.write(k);
    await tick();
  }
  for (let i = 0; i < 200 && !/\nok\n/.test(r.text()); i++) await tick();
  // deno-lint-ignore no-control-regex
  const out = r.text().replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  assert.match(out, /\(populate: \d+ MiB of 32768 MiB\)/);
  assert.match(
    out,
    /\(populate interrupted after \d+ [MG]iB of 32 GiB; the pages before it stay\)/,
  );
  assert.match(out, /= 0x7f[0-9a-f]+\n/);
  assert.match(out, /check\r?\nok\n/);
  r.input.end();
  await r.done;
});

Deno.test("interactive, not a terminal: no progress drawn", async () => {
  const r = repl(false);
  r.input.write(
    "a = mmap(0, 600M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)\n",
  );
  for (let i = 0; i < 400 && !/= 0x7f/.test(r.text()); i++) await tick();
  r.input.end();
  await r.done;
  assert.doesNotMatch(r.text(), /\(populate: /);
  assert.match(r.text(), /= 0x7f[0-9a-f]+\n/);
});
