/**
 * Random REPL lines of garbage: bytes of any value, lines of hundreds of
 * kilobytes, nesting thousands deep, filters by the thousand and regular
 * expressions that backtrack for ever in JavaScript. Each is answered in
 * bounded time (no hang), by its output or one error line, and the
 * session goes on. The same lines fed to the REPL's own process run to
 * the last (exit status 1: some were malformed; nothing kills it).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Session } from "../../repl/session.ts";
import { HANG_MS } from "../hang.ts";

const RUNS = Number(Deno.env.get("MMLAB_HOSTILE_RUNS") ?? "2") * 20;
const MAP = "a = mmap(NULL, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

/** A piece of a line, repeated: what makes lines long or deep. */
const PIECES = [
  "(",
  ")",
  "{",
  "[",
  '"',
  "'",
  "@",
  "|",
  " | head",
  " | grep a",
  " --json",
  "mmap(",
  "{a=",
  "-",
  "~",
  "\\",
  "\0",
  "\u00ff",
  "\ud800",
  "x",
  " ",
];
/** Patterns that backtrack exponentially in JavaScript's RegExp. */
const EVIL = ["(.*)*x", "(a|a)*b", "(\\w+\\s?)+$x", "(.|\\s)*q", "(x+x+)+y", "([a-z0-9 -]+)*!"];

const garbage = fc.oneof(
  // Any byte values, read as Latin-1 (as a pasted binary would arrive).
  fc.uint8Array({ maxLength: 200 }).map((b) => String.fromCharCode(...b)),
  fc.string({ unit: "binary", maxLength: 100 }),
  // A piece repeated up to 200,000 times, after a command or alone.
  fc.record({
    head: fc.constantFrom("", "maps", "x = ", "pages a", "poke(a, ", "policy ", "help "),
    piece: fc.constantFrom(...PIECES),
    n: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1000, max: 200_000 })),
  }).map(({ head, piece, n }) => head + piece.repeat(n)),
  // A view through a filter that would backtrack for ever.
  fc.record({
    view: fc.constantFrom("maps", "smaps", "pages a 64K", "meminfo", "lspci -vv", "dmesg"),
    re: fc.constantFrom(...EVIL),
    i: fc.constantFrom("", "-i ", "-v "),
  }).map(({ view, re, i }) => `${view} | grep ${i}${re}`),
);

Deno.test("hostile lines: garbage, long and deep lines answer in bounded time, one error line", async () => {
  const s = new Session();
  await s.run(MAP);
  await s.run("memset(a, 0x61, 64K)");
  await fc.assert(
    fc.asyncProperty(garbage, async (line) => {
      const t0 = performance.now();
      const r = await s.run(line);
      const ms = performance.now() - t0;
      const shown = JSON.stringify(line.slice(0, 80));
      assert.ok(ms < HANG_MS, `${shown}: ${ms.toFixed(0)} ms`);
      if (r.error !== undefined) {
        assert.notEqual(r.error.kind, "internal", `${shown}: ${r.output.at(-1)}`);
        const last = r.output.at(-1)!;
        assert.match(last, /^error( at column \d+)?: /, shown);
        assert.ok(!last.includes("\n") && last.length < 400, `${shown}: ${last.slice(0, 500)}`);
      }
      assert.equal((await s.run("maps")).error, undefined, shown);
    }),
    { numRuns: RUNS, seed: 13 },
  );
  assert.deepEqual((await s.run("check")).output, ["ok"]);
});

Deno.test("hostile lines: grep's patterns match in linear time, -i and -v as grep's", async () => {
  const s = new Session();
  await s.run(MAP);
  const t0 = performance.now();
  for (const re of EVIL) {
    const r = await s.run(`smaps | grep ${re}`);
    assert.equal(r.error, undefined, re);
  }
  assert.ok(performance.now() - t0 < HANG_MS);
  const count = async (l: string) => (await s.run(l)).output.length;
  const all = await count("maps");
  assert.equal(await count("maps | grep (.*)*vdso"), 1);
  assert.equal(await count("maps | grep -i (.*)*VDSO"), 1);
  assert.equal(await count("maps | grep -v (.*)*vdso"), all - 1);
  assert.equal(await count("maps | grep ^7ff.*\\[v"), 3);
  assert.equal(await count("maps | grep -i [V]DSO\\]$"), 1);
  assert.match(
    (await s.run("maps | grep (a)\\1")).output[0],
    /^error at column 8: grep: bad pattern \(a\)\\1: .*backreference/,
  );
});

Deno.test("hostile lines: the REPL process reads garbage on stdin and ends normally", async () => {
  const lines = [
    "\x00\x01\x02\xff\xfe",
    "(".repeat(100_000),
    "x = " + "1+".repeat(100_000) + "1",
    "maps" + " | head".repeat(10_000),
    "maps | grep (.*)*x",
    "\r",
    '"' + "y".repeat(300_000),
    "ps",
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "--allow-env", "repl/main.ts"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill(), HANG_MS);
  // Read while writing: the echoed lines fill the pipe long before stdin is written.
  const output = child.output();
  const w = child.stdin.getWriter();
  const bytes = new Uint8Array([...lines.join("\n") + "\n"].map((c) => c.charCodeAt(0) & 0xff));
  await w.write(bytes);
  await w.close();
  const out = await output;
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout);
  // Status 1: some lines were malformed (repl/batch.ts); not killed, nothing on stderr.
  assert.equal(out.code, 1, new TextDecoder().decode(out.stderr).slice(0, 500));
  assert.equal(out.signal, null);
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.match(text, /PID\s+PPID/); // the last line ran: nothing before it stopped the REPL
  assert.doesNotMatch(text, /internal error|\.ts:\d+:\d+/);
});

/** A command file: [line, whether it is malformed]. Blank and comment lines are not commands. */
const FILE_LINES: [string, boolean][] = [
  ["a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)", false],
  ["# a comment", false],
  ["device-bind 99:00.0 vfio-pci", true],
  ["", false],
  ["inject-fault nosuch 05:00.0", true],
  ['ibv_reg_mr(pd, a, 16K, "x")', true],
  ["pin_user_pages(a, 0xffffffffffffffff, FOLL_WRITE)", true],
  ["ioctl(3, UFFDIO_API, {api=", true],
  ['dma 05:00.0 write 0x1000000 8 "unterminated', true],
  ["@99 maps", true],
  ["maps | grep (a)\\1", true],
  ["pages a --bogus", true],
  ["x".repeat(200_000), true],
  ["mmap(NULL\x00, 4K)", true],
  ["munmap(a, 16K)", false],
  ["maps", false],
];

Deno.test("hostile lines: a command file names FILE:LINE of each bad line; --jsonl one error object each", async () => {
  const file = await Deno.makeTempFile({ suffix: ".mm" });
  await Deno.writeTextFile(file, FILE_LINES.map(([l]) => l).join("\r\n") + "\n");
  const run = (extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", "--allow-env", "repl/main.ts", ...extra, file],
      cwd: new URL("../../", import.meta.url).pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  const [text, jsonl] = await Promise.all([run([]), run(["--jsonl"])]);
  await Deno.remove(file);
  const bad = FILE_LINES.map(([, b], i) => (b ? i + 1 : 0)).filter((n) => n > 0);

  assert.equal(text.code, 1);
  assert.equal(new TextDecoder().decode(text.stderr), "");
  const errors = new TextDecoder().decode(text.stdout).split("\n").filter((l) =>
    l.startsWith(file)
  );
  assert.deepEqual(errors.map((l) => Number(l.slice(file.length + 1).split(":")[0])), bad);
  for (const e of errors) {
    assert.match(e.slice(file.length), /^:\d+:\d+: error: \S/);
    assert.ok(e.length < file.length + 400, e.slice(0, 500));
  }

  assert.equal(jsonl.code, 1);
  const objects = new TextDecoder().decode(jsonl.stdout).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const commands = FILE_LINES.filter(([l]) => l !== "" && !l.startsWith("#"));
  assert.equal(objects.length, commands.length);
  objects.forEach((o, i) => {
    assert.equal(
      o.error !== null,
      commands[i][1],
      `${commands[i][0].slice(0, 60)}: ${o.error?.message}`,
    );
    if (o.error !== null) {
      assert.notEqual(o.error.kind, "internal");
      assert.ok(typeof o.error.message === "string" && o.error.message.length > 0);
    }
  });
});
