/**
 * Hostile inputs as data: each answered by one clear line (what, where, a
 * hint) with the right status, in bounded time, never a stack trace.
 */
import assert from "node:assert/strict";
import { replayText } from "../../repl/transcript/replay.ts";
import {
  parsePolicyText,
  parsePresetText,
  parseRamText,
  parseSeedText,
  SettingError,
} from "../../repl/machine_text.ts";
import { Machine } from "../../mod.ts";

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

for (const [what, text, want] of transcripts) {
  Deno.test(`hostile transcript: ${what}`, async () => {
    const t0 = performance.now();
    const r = await replayText(text);
    assert.ok(performance.now() - t0 < 2000);
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
  [parsePresetText, "rfc-2019-p2p", /planned for issue 11/],
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
