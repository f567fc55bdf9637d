/** Matchers stay bounded: any block size, any pattern; bad patterns are named with their line. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { LineRegex, RegexError } from "../../../repl/transcript/regex.ts";
import { checkExpectedLine, lineMatches, matchBlock } from "../../../repl/transcript/match.ts";
import { parseTranscript, type TranscriptError } from "../../../repl/transcript/format.ts";
import { replayText } from "../../../repl/transcript/replay.ts";
import { Recorder } from "../../../repl/transcript/recorder.ts";
import { Session } from "../../../repl/session.ts";

const HEAD =
  "# mmlab transcript 1\n# mmlab: 0.1.0\n# seed: 1\n# ram: 64M\n# preset: linux-6.18\n\n";

/**
 * Runs a `(re)` pattern on a line; returns the threads the matcher
 * advanced and the most a linear-time match may take: (length + 1) x
 * program size. A backtracking matcher would go far past it.
 */
function run(pattern: string, line: string, want: boolean): { steps: number; bound: number } {
  const re = new LineRegex(pattern);
  assert.equal(re.test(line), want, pattern);
  assert.equal(lineMatches(`${pattern} (re)`, line), want, pattern);
  return { steps: re.steps, bound: (line.length + 1) * re.size };
}

Deno.test("regex: the linear matcher agrees with JavaScript's RegExp on its subset", () => {
  const atom = fc.constantFrom("a", "b", ".", "[ab]", "[^a]", "\\d", "\\.", "x", "\\w", "\\s");
  const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
    re: fc.oneof(
      { depthSize: "small" },
      atom,
      fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}${y}`),
      fc.tuple(tie("re"), tie("re")).map(([x, y]) => `(?:${x}|${y})`),
      fc.tuple(tie("re"), fc.constantFrom("*", "+", "?", "{2}", "{1,3}", "{0,}", "*?")).map((
        [x, q],
      ) => `(${x})${q}`),
    ),
  })).re as fc.Arbitrary<string>;
  const text = fc.string({
    unit: fc.constantFrom("a", "b", "x", "1", ".", " ", "c"),
    maxLength: 8,
  });
  fc.assert(
    fc.property(pattern, text, (p, s) => {
      assert.equal(new LineRegex(p).test(s), new RegExp(`^(?:${p})$`).test(s), `/${p}/ on "${s}"`);
    }),
    { numRuns: 3000 },
  );
  // Anchors, classes and escapes as a writer uses them.
  assert.ok(new LineRegex("= 0x7f[0-9a-f]+").test("= 0x7ffff7fbe000"));
  assert.ok(new LineRegex("^a$").test("a"));
  assert.ok(!new LineRegex("a$b").test("ab"));
  assert.ok(new LineRegex("[\\]a-]+").test("]-a"));
  assert.ok(new LineRegex("(?<n>x)\\x41\\u0042").test("xAB"));
});

Deno.test("regex: catastrophic patterns run in linear time", () => {
  const long = "a".repeat(20_000);
  for (const p of ["(.*)*x", "(a|a)*b", "(a+)+b", ".*.*.*.*.*.*.*.*x", "(a|aa)*c", "(a*)*$x"]) {
    const { steps, bound } = run(p, long, false);
    assert.ok(steps <= bound, `${p}: ${steps} steps > ${bound}`);
  }
});

Deno.test("regex: the largest patterns against a 50 KB line stay bounded", () => {
  const line = "y".repeat(50_000);
  assert.equal(checkExpectedLine("(.{0,450}y)*x (re)"), null);
  const { steps, bound } = run("(.{0,450}y)*x", line, false);
  assert.ok(steps <= bound && bound <= 1000 * (line.length + 1), `${steps} steps, bound ${bound}`);
  assert.match(checkExpectedLine(".{0,1000}x (re)")!, /too large/);
});

Deno.test("regex: refused and invalid patterns say what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["(a)\\1", /backreference \\1 is not supported/],
    ["a(?=b)b", /lookaround "\(\?=b" is not supported/],
    ["a(?<!b)", /lookaround "\(\?<!" is not supported/],
    ["\\bword", /\\b is not supported/],
    ["a{2,1}", /invalid regular expression.*out of order/i],
    ["(a", /invalid regular expression.*(unterminated|group)/i],
    ["*a", /invalid regular expression.*nothing to repeat/i],
    ["[b-a]", /invalid regular expression.*range out of order/i],
    ["x".repeat(1001), /longer than 1000 characters/],
    ["(a{1000}){1000}", /too large/],
  ];
  for (const [p, want] of cases) {
    const why = checkExpectedLine(`${p} (re)`);
    assert.ok(why !== null, p);
    assert.match(why!, want, p);
    assert.ok(!why!.includes("\n"));
    assert.equal(lineMatches(`${p} (re)`, "a"), false);
  }
  assert.throws(() => new LineRegex("(a"), RegexError);
  assert.equal(checkExpectedLine("plain text, [not a regex"), null);
});

Deno.test("transcript: an invalid (re) line is refused at its file line, not as 'output differs'", async () => {
  const text = HEAD + "  [1] mm> x = 1\n  = 1\n  [1] mm> y = 2\n  = (2 (re)\n";
  assert.throws(
    () => parseTranscript(text),
    (e: TranscriptError) => e.line === 10 && /invalid regular expression/.test(e.message),
  );
  const r = await replayText(text);
  assert.equal(r.failure, undefined);
  assert.equal(r.malformed?.line, 10);
});

Deno.test("matchBlock: 200,000-line blocks match without recursion", () => {
  const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
  assert.equal(matchBlock(lines, lines), null);
  const off = lines.slice();
  off[150_000] = "changed";
  assert.deepEqual(matchBlock(lines, off), { expectedIndex: 150_000, actualIndex: 150_000 });
  assert.equal(matchBlock(["line 0", "...", "line 199999"], lines), null);
  assert.equal(matchBlock(["...", "line * (glob)"], lines), null);
});

Deno.test("matchBlock: many '...' lines before a line that does not match stay linear", () => {
  const actual = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
  const expected = [...Array(30).fill("..."), "no such line"];
  const stats = { comparisons: 0 };
  assert.deepEqual(matchBlock(expected, actual, stats), { expectedIndex: 30, actualIndex: 20_000 });
  // One pass over the actual lines, however many '...' came before.
  assert.ok(stats.comparisons <= actual.length, `${stats.comparisons} comparisons`);
  // Alternating '...' and a line that matches everything: O(expected x actual), bounded.
  const alt = Array.from({ length: 40 }, (_, i) => (i % 2 ? ".* (re)" : "..."));
  const stats2 = { comparisons: 0 };
  assert.notEqual(matchBlock([...alt, "nope"], actual, stats2), null);
  assert.ok(stats2.comparisons <= 21 * actual.length, `${stats2.comparisons} comparisons`);
});

Deno.test("replay: a recording with blocks of ~32,000 lines (98,000 lines in all) replays", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  let out = "";
  const rec = new Recorder((t) => (out += t));
  rec.start(s);
  // The view folds runs of empty pages into one line: populate the range
  // (read-only: the zero page, no frames) so that each page is a line.
  const populate =
    "a = mmap(0x7f0000000000, 128M, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)";
  rec.command(s.pid, populate, await s.run(populate));
  for (let k = 0; k < 3; k++) {
    const line = "pages 0x7f0000000000 128M";
    rec.command(s.pid, line, await s.run(line));
  }
  assert.ok(out.split("\n").length > 98_000);
  assert.deepEqual(await replayText(out), { passed: 4 });
});
