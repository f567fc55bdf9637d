/**
 * Hostile inputs as data: each answered by one clear line (what, where, a
 * hint) with the right status, in bounded time, never a stack trace.
 */
import assert from "node:assert/strict";
import { replayText } from "../../repl/transcript/replay.ts";
import { checkSession } from "../../repl/transcript/lab.ts";
import { parseTranscript } from "../../repl/transcript/format.ts";
import {
  parsePolicyText,
  parsePresetText,
  parseRamText,
  parseSeedText,
  SettingError,
} from "../../repl/machine_text.ts";
import { Machine } from "../../mod.ts";
import { HANG_MS } from "../hang.ts";

const HEAD = "# mmlab transcript 1\n# mmlab: 0.1.0\n";
const CMD = "\n  [1] mm> x = 1\n  = 1\n";

/** A transcript, and the `line: message` replay must answer with (null: it passes). */
const transcripts: [string, string, RegExp | null][] = [
  ["no commands", HEAD + "\nJust prose.\n", /^4: no commands to verify/],
  ["only a header", HEAD, /^2: no commands to verify/],
  ["empty file", "", /^1: not an mmlab transcript/],
  ["prompts all mistyped", HEAD + "\n  [1] mm x = 1\n", /^4: indented output before any command/],
  ["preset of any era (as --preset)", HEAD + "# preset: linux-3.0\n" + CMD, null],
  ["preset that is no era", HEAD + "# preset: linux-1.0\n" + CMD, /^3: unknown preset linux-1\.0/],
  ["prototype name as preset", HEAD + "# preset: constructor\n" + CMD, /^3: unknown preset/],
  ["prototype name as knob", HEAD + "# policy: toString=x\n" + CMD, /^3: unknown policy/],
  ["__proto__ as knob", HEAD + "# policy: __proto__=x\n" + CMD, /^3: unknown policy/],
  ["bad ram, preset after it", HEAD + "# ram: 1K\n# preset: linux-6.18\n" + CMD, /^3: ram of 1K/],
  ["ram above the maximum", HEAD + "# ram: 2T\n" + CMD, /^3: ram of 2T is above the maximum/],
  ["ram not whole pages", HEAD + "# ram: 1048577\n" + CMD, /^3: ram of 1048577 is not a whole/],
  ["ram of 2^70", HEAD + "# ram: 1180591620717411303424\n" + CMD, /^3: ram .* above the maximum/],
  ["ram in hex (as --ram)", HEAD + "# ram: 0x4000000\n" + CMD, null],
  ["seed of 2^32", HEAD + "# seed: 4294967296\n" + CMD, /^3: seed must be a whole number/],
  ["seed twice", HEAD + "# seed: 1\n# seed: 2\n" + CMD, /^4: "# seed:" appears twice/],
  ["policy without =", HEAD + "# policy: fork\n" + CMD, /^3: a policy is written knob=value/],
  ["header line without key", HEAD + "# hello\n" + CMD, /^3: header lines look like/],
  [
    "invalid (re) line",
    HEAD + "\n  [1] mm> x = 1\n  = (1 (re)\n",
    /^5: invalid regular expression/,
  ],
  ["backreference", HEAD + "\n  [1] mm> x = 1\n  (=) \\1 (re)\n", /^5: .*backreference/],
  ["catastrophic (re)", HEAD + "\n  [1] mm> x = 1\n  (.*)*x (re)\n", /^5: output differs/],
];

// Header values: every bad value of every key is refused at its own line
// (line 3: after the magic and "# mmlab:"), with a hint of what would do.
const badHeaderValues: [string, string[], RegExp][] = [
  [
    "seed",
    ["-1", "1.5", "0x10", "4294967296", "9".repeat(30), "", "one", "1e3", "\uff11", "NaN", "1_000"],
    /^3: seed must be a whole number from 0 to 4294967295/,
  ],
  [
    "ram",
    ["1G+4K", "1GB", "G", "", "1.5G", "-1G", "1e9", "\uff11G", "0x", "64 G", "1g", "one", "1G 2G"],
    /^3: ram must be a size like 512M or 1G/,
  ],
  [
    "ram",
    [
      "65G",
      "128T",
      "1180591620717411303424",
      "0x10000000000000000",
      "9".repeat(400),
      "0x1000000001",
    ],
    /^3: ram of .* is above the maximum of 64G/,
  ],
  ["ram", ["0", "1", "4095", "1K", "1020K", "0x0"], /^3: ram of .* is below the minimum of 1M/],
  ["ram", ["1048577", "0x100001", "1048580"], /^3: ram of .* is not a whole number of 4 KiB pages/],
  [
    "preset",
    [
      "linux-1.0",
      "linux-6.19",
      "linux-7.0",
      "linux-6",
      "linux-",
      "linux-2.5",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "LINUX-6.18",
      "",
      "x".repeat(10_000),
    ],
    /^3: unknown preset .*; presets: linux-4\.14, .* \(or any linux-X\.Y from 2\.6 to 6\.18\)$/,
  ],
  ["policy", ["x", "=", "a=", "=b", "a=b c", ""], /^3: a policy is written knob=value/],
  [
    "policy",
    ["constructor=x", "__proto__=x", "toString=x", "nosuch.knob=1", "valueOf=1"],
    /^3: unknown policy /,
  ],
  [
    "policy",
    ["fork.pinnedPages=bogus", "fork.pinnedPages=cow-steal=x"],
    /^3: policy fork\.pinnedPages takes /,
  ],
  [
    "policy",
    ["vfio.onMemoryDisable=zero-page"],
    /^3: policy vfio\.onMemoryDisable is planned for issue 10/,
  ],
];
for (const [key, values, want] of badHeaderValues) {
  for (const v of values) {
    transcripts.push([
      `# ${key}: ${JSON.stringify(v).slice(0, 40)}`,
      HEAD + `# ${key}: ${v}\n` + CMD,
      want,
    ]);
  }
}
// The same values on the command line's parser say the same thing.
const goodHeaderValues: [string, string][] = [
  ["seed", "0"],
  ["seed", "4294967295"],
  ["ram", "1M"],
  ["ram", "0x100000"],
  ["ram", "1048576"],
  ["ram", "2G"],
  ["preset", "linux-2.6"],
  ["preset", "linux-4.14"],
  ["preset", " linux-5.0"],
  ["policy", "fork.pinnedPages=cow-steal"],
];
for (const [key, v] of goodHeaderValues) {
  transcripts.push([`# ${key}: ${v} is accepted`, HEAD + `# ${key}: ${v}\n` + CMD, null]);
}

// (re) lines replay refuses, each at its own line (5: the expected line).
const refusedPatterns = [
  "(",
  "[",
  "a{2,1}",
  "\\",
  "*",
  "+a",
  "a**",
  "(?<",
  "(?=x)",
  "(?!x)",
  "(?<=x)",
  "(?<!x)",
  "\\1",
  "(a)\\1",
  "\\k<n>",
  "\\bx",
  "\\B",
  "\\p{L}",
  "(a{1000}){1000}",
  "x".repeat(1001),
  "[z-a]",
  ")",
];
for (const p of refusedPatterns) {
  transcripts.push([
    `(re) line ${JSON.stringify(p).slice(0, 30)}`,
    HEAD + "\n  [1] mm> x = 1\n  " + p + " (re)\n",
    /^5: invalid regular expression in a \(re\) line: /,
  ]);
}
// Patterns that backtrack for ever in JavaScript: a quick "output differs".
const catastrophic = [
  "(.*)*x",
  "(a|a)*b",
  "(a+)+b",
  "(x+x+)+y",
  ".*.*.*.*.*.*.*.*.*.*.*.*z",
  "(\\w+\\s?)+$x",
  "(.*a){12}",
  "([a-z0-9 -]+)*!",
  "(.|\\s)*q",
  "(\\S+ ?)*#",
];
for (const p of catastrophic) {
  transcripts.push([
    `catastrophic (re) ${p}`,
    HEAD + "\n  [1] mm> pages 0x7f0000000000 4K\n  " + p + " (re)\n",
    /^5: output differs$/,
  ]);
}
// Malformed files.
transcripts.push(
  ["a BOM before the magic", "\ufeff" + HEAD + CMD, /^1: not an mmlab transcript/],
  ["another version", "# mmlab transcript 2\n" + CMD, /^1: not an mmlab transcript/],
  ["binary garbage", "\x00\x01\x02\xff".repeat(1000), /^1: not an mmlab transcript/],
  ["a 1 MB line", "x".repeat(1 << 20), /^1: not an mmlab transcript/],
  ["no blank line after the header", HEAD + "  [1] mm> x = 1\n", /^3: header lines look like/],
  ["CRLF line ends", (HEAD + CMD).replace(/\n/g, "\r\n"), null],
  [
    "a pid of 10^20 at the prompt",
    HEAD + "\n  [100000000000000000000] mm> x = 1\n  = 1\n",
    /^4: the prompt shows process 1, the transcript expects 100000000000000000000$/,
  ],
  ["a 1 MB header value", HEAD + "# note: " + "y".repeat(1 << 20) + "\n" + CMD, null],
);

for (const [what, text, want] of transcripts) {
  Deno.test(`hostile transcript: ${what}`, async () => {
    const t0 = performance.now();
    const r = await replayText(text);
    assert.ok(performance.now() - t0 < HANG_MS);
    if (want === null) {
      assert.equal(r.malformed, undefined, r.malformed?.message);
      assert.equal(r.failure, undefined, r.failure?.what);
      return;
    }
    const got = r.malformed
      ? `${r.malformed.line}: ${r.malformed.message}`
      : `${r.failure!.line}: ${r.failure!.what}`;
    assert.match(got, want);
    assert.ok(!got.includes("\n"), got);
    assert.doesNotMatch(got, /\bat .*\.ts:\d+/);
  });
}

/** One parser for flags and headers: a value and what it gives (or the error). */
const settings: [(t: string) => unknown, string, unknown | RegExp][] = [
  [parsePresetText, "linux-3.0", "linux-3.0"],
  [parsePresetText, "linux-6.19", /unknown preset linux-6\.19; presets: linux-4\.14/],
  [parsePresetText, "hasOwnProperty", /unknown preset/],
  [parsePresetText, "rfc-2019-dax-lease", "rfc-2019-dax-lease"],
  [parseRamText, "512M", 512 << 20],
  [parseRamText, "64G", 64 * 2 ** 30],
  [parseRamText, "65G", /above the maximum of 64G/],
  [parseRamText, "0", /below the minimum of 1M/],
  [parseRamText, "1G+1", /size like 512M/],
  [parseRamText, "x".repeat(100_000), /size like 512M or 1G, not "x{77}\.\.\."$/],
  [parseSeedText, "4294967295", 4294967295],
  [parseSeedText, "-1", /seed must be a whole number/],
  [parsePolicyText, "fork.pinnedPages=cow-steal", ["fork.pinnedPages", "cow-steal"]],
  [parsePolicyText, "constructor=x", /unknown policy constructor/],
  [parsePolicyText, "fork.pinnedPages=nonsense", /takes .*; not nonsense/],
];

Deno.test("hostile flags and header values: one parser, one set of accepted values", () => {
  for (const [parse, text, want] of settings) {
    if (want instanceof RegExp) {
      assert.throws(
        () => parse(text),
        (e: Error) => e instanceof SettingError && want.test(e.message),
      );
    } else assert.deepEqual(parse(text), want);
  }
});

Deno.test("hostile machine sizes are refused by the library with a clear error", () => {
  for (const ram of [2 ** 38, 2 ** 36 + 4096, 4095, 0, -4096, 1.5, NaN, 4096 * 10]) {
    assert.throws(
      () => new Machine({ ramBytes: ram }),
      (e: Error) => e instanceof RangeError && /^RAM /.test(e.message) && !e.message.includes("\n"),
      String(ram),
    );
  }
});

/** Command lines that must exit 2 with one line on stderr. */
const commandLines: [string[], RegExp][] = [
  [["--preset", "linux-1.0"], /unknown preset linux-1\.0/],
  [["--ram", "128T"], /above the maximum of 64G/],
  [["--policy", "toString=x"], /unknown policy toString/],
];

for (const [args, want] of commandLines) {
  Deno.test(`hostile command line: repl ${args.join(" ")}`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-env", "repl/main.ts", ...args],
      cwd: new URL("../../", import.meta.url).pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, err);
    assert.match(err, want);
    assert.equal(err.split("\n").length, 1, err);
  });
}

/** Transcripts given to `replay`: its one line per file, and exit status 1. */
const replayFiles: [string, string, RegExp][] = [
  ["no commands", HEAD + "\nprose only\n", /^F:4: malformed transcript: no commands to verify/],
  [
    "an invalid (re) line",
    HEAD + "\n  [1] mm> x = 1\n  = (1 (re)\n",
    /^F:5: malformed transcript: invalid regular expression in a \(re\) line: Unterminated group$/,
  ],
  [
    "a bad ram line before the preset",
    HEAD + "# ram: 1K\n# preset: linux-6.18\n" + CMD,
    /^F:3: malformed transcript: ram of 1K is below the minimum of 1M$/,
  ],
];

for (const [what, text, want] of replayFiles) {
  Deno.test(`hostile replay file: ${what}`, async () => {
    const file = await Deno.makeTempFile({ suffix: ".mm" });
    await Deno.writeTextFile(file, text);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "repl/replay_main.ts", file],
      cwd: new URL("../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    await Deno.remove(file);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(out.code, 1);
    assert.deepEqual(lines.length, 2, lines.join("\n"));
    assert.match(lines[0].replace(file, "F"), want);
    assert.equal(lines[1], "0 passed, 1 failed");
    assert.equal(new TextDecoder().decode(out.stderr), "");
  });
}

Deno.test("a header value is accepted exactly when the same flag value is, with the same words", async () => {
  const parsers: Record<string, (t: string) => unknown> = {
    seed: parseSeedText,
    ram: parseRamText,
    preset: parsePresetText,
    policy: parsePolicyText,
  };
  const cases: [string, string][] = [
    ...badHeaderValues.flatMap(([key, values]) => values.map((v): [string, string] => [key, v])),
    ...goodHeaderValues,
  ];
  assert.ok(cases.length > 70, `${cases.length}`);
  for (const [key, v] of cases) {
    let flagError: string | null = null;
    try {
      parsers[key](v);
    } catch (e) {
      assert.ok(e instanceof SettingError);
      flagError = e.message;
    }
    const r = await replayText(HEAD + `# ${key}: ${v}\n` + CMD);
    assert.equal(r.malformed?.message ?? null, flagError, `${key}: ${v}`);
  }
});

/** `deno task script` command lines: exit 2 and one line. */
const scriptLines: [string[], RegExp][] = [
  [["x.ts", "--timeout", "2147484"], /the timeout must be a whole number from 1 to 86400 seconds/],
  [["x.ts", "--timeout", "0"], /the timeout must be a whole number from 1 to 86400 seconds/],
  [["x.ts", "--timeout", "1.5"], /the timeout must be a whole number/],
  [["x.ts", "--memory", "0"], /the memory limit must be a whole number from 16 to 65536 MiB/],
  [["x.ts", "--memory", "99999999999"], /the memory limit must be a whole number from 16/],
  [["/tmp"], /^script: cannot read \/tmp: not a regular file$/],
  [["/nonexistent/x.ts"], /^script: cannot read \/nonexistent\/x\.ts: No such file/],
  [[], /missing required argument 'file'/],
];

for (const [args, want] of scriptLines) {
  Deno.test(`hostile command line: script ${args.join(" ")}`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-run", "repl/script_main.ts", ...args],
      cwd: new URL("../../", import.meta.url).pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, err);
    assert.match(err, want);
    assert.equal(err.split("\n").length, 1, err);
  });
}

Deno.test("hostile lab --check: a recorded session with no commands is named as such", async () => {
  const lab = parseTranscript(HEAD + CMD);
  const r = await checkSession("lab.mm", lab, "mine.mm", HEAD + "\nonly prose\n");
  assert.deepEqual(r.lines, [
    "mine.mm:4: the session has no commands (record one with: deno task repl --record FILE, " +
    "then run the lab's commands)",
  ]);
  assert.equal(r.failed, 1);
});

Deno.test("hostile replay arguments: a directory and a missing file are one line each", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "repl/replay_main.ts", "/tmp", "/nonexistent.mm"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.equal(
    new TextDecoder().decode(out.stdout),
    "/tmp: cannot read: a directory, not a transcript\n" +
      "/nonexistent.mm: cannot read: no such file\n0 passed, 2 failed\n",
  );
});
