/**
 * Hostile values as data: names, numbers, nesting and ranges of any size,
 * JavaScript's prototype names, and command lines that name the wrong kind
 * of file. Each error is answered by one clear line (what, where, a hint);
 * each valid input by its output; none takes more than 2 s or 512 MB, and
 * none prints a stack trace or an internal error.
 * (tests/repl/hostile_test.ts holds the transcripts, flags and scripts.)
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { complete } from "../../repl/complete.ts";
import { Recorder } from "../../repl/transcript/recorder.ts";
import { replayText } from "../../repl/transcript/replay.ts";
import { HANG_MS } from "../hang.ts";

const MAP = "a = mmap(NULL, 4M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
const MB = 1 << 20;
const x = (n: number) => "x".repeat(n);

/** n printable characters from a fixed generator, never a quote or a backslash. */
function noise(n: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-+*/=<>";
  let s = 1;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = alphabet[(s >>> 16) % alphabet.length];
  }
  return out.join("");
}

/**
 * One line and what it must print: a RegExp for an error (exactly one line,
 * `error at column ...`), or a check of the whole output of a valid input.
 */
type Want = RegExp | ((out: string[]) => void);

/** [what, setup lines, the line, want] */
const lines: [string, string[], string, Want][] = [];
const error = (what: string, line: string, want: RegExp, setup: string[] = []) =>
  lines.push([what, setup, line, want]);
const works = (what: string, line: string, check: (out: string[]) => void, setup = [MAP]) =>
  lines.push([what, setup, line, check]);
const value = (v: string) => (out: string[]) => assert.deepEqual(out, [v]);

// Names of any length: one line, the name clipped, no hint for implausible lengths.
const clipped = /^error at column \d+: .*x{40}\.\.\. \(\d+ characters\)/;
for (const n of [65, 1000, 100_000, MB]) {
  error(`a name of ${n} characters`, x(n), /^error at column 1: unknown name x+/);
  error(`help with a word of ${n}`, `help ${x(n)}`, /^error at column 6: no help for x+/);
  error(`policy with a word of ${n}`, `policy ${x(n)}`, /^error at column 8: unknown policy x+/);
  error(`@ a variable of ${n}`, `@${x(n)} maps`, /^error at column 2: unknown variable x+/);
  error(
    `assigning a command to a name of ${n}`,
    `${x(n)} = mmap`,
    /mmap is a command, not a value/,
  );
}
error("a 1 MB name is clipped in its error", x(MB), clipped);
error("a 10 MB name is clipped in its error", x(10 * MB), clipped);
error(
  "a 10 MB flag-like word",
  `pages a --${x(10 * MB)}`,
  /unknown name x{40}\.\.\. \(10485760 characters\)/,
  [MAP],
);
error("a mistyped constant gets a hint", "PROT_RAED", /did you mean PROT_READ\?$/);
error("a 64-character name gets no hint", x(64), /^error at column 1: unknown name x{64}$/);

// Numbers of 2^64 and more: refused as a C compiler does, at the constant.
const tooLarge = /integer constant is too large for its type; values are 64-bit/;
for (
  const n of [
    "18446744073709551616",
    "18446744073709551617",
    "99999999999999999999",
    "0x10000000000000000",
    "0xffffffffffffffffff",
    "0b1" + "0".repeat(64),
    "02000000000000000000000",
    "16777216T",
    "17179869184G",
    "9".repeat(MB),
    "0x" + "f".repeat(MB),
    "1" + "0".repeat(100_000) + "K",
  ]
) {
  error(`x = ${n.slice(0, 30)}`, `x = ${n}`, new RegExp("^error at column 5: " + tooLarge.source));
}
error(
  "an mmap length past 2^64",
  `mmap(NULL, 18446744073709551617, PROT_READ, 0x22, -1, 0)`,
  tooLarge,
);
error("a pages length past 2^64", `pages 0 0x10000000000000001`, tooLarge);
works(
  "2^64 - 1 is the largest",
  "x = 18446744073709551615",
  value("= -1 (0xffffffffffffffff)"),
  [],
);
works("a megabyte of zeros then 7", `x = ${"0".repeat(MB)}7`, value("= 7"), []);

// Nesting and flat chains.
const nests = /expression nests more than 256 levels deep; compute the inner parts/;
for (const n of [257, 1024, 100_000]) {
  error(`${n} parentheses`, `x = ${"(".repeat(n)}1${")".repeat(n)}`, nests);
  error(`${n} unclosed parentheses`, `x = ${"(".repeat(n)}`, nests);
  error(`${n} nested calls`, `x = ${"f(".repeat(n)}1${")".repeat(n)}`, nests);
  error(`${n} nested structs`, `ioctl(0, FIONREAD, ${"{a=".repeat(n)}1${"}".repeat(n)})`, nests);
  error(`${n} nested [ints]`, `ioctl(0, FIONREAD, ${"[".repeat(n)}1${"]".repeat(n)})`, nests);
}
works("256 parentheses", `x = ${"(".repeat(256)}1${")".repeat(256)}`, value("= 1"), []);
works(
  "a sum of 8,192 terms",
  `x = ${Array(8192).fill("1").join("+")}`,
  value("= 8192 (0x2000)"),
  [],
);
works(
  "a sum of 200,000 terms",
  `x = ${Array(200_000).fill("1").join(" + ")}`,
  value("= 200000 (0x30d40)"),
  [],
);
works("7,937 unary minuses", `x = ${"-".repeat(7937)}1`, value("= -1 (0xffffffffffffffff)"), []);
works("1 MB of ~", `x = ${"~".repeat(MB)}0`, value("= 0"), []);
works("a chain of 100,000 comparisons", `x = 1${" == 1".repeat(100_000)}`, value("= 1"), []);
works(
  "a product of 100,000 large constants",
  `x = ${Array(100_000).fill("0xffffffffffffffff").join("*")}`,
  value("= 1"),
  [],
);
works("100,000 shifts by 63", `x = 1${"<<63".repeat(100_000)}`, value("= 0"), []);
works(
  "256 nested products",
  `x = ${"0xfffffffffffffff*(".repeat(255)}3${")".repeat(255)}`,
  (out) => assert.match(out[0], /^= /),
  [],
);
error(
  "a chain ending in an operator",
  `x = ${"1+".repeat(100_000)}`,
  /expected a value at the end/,
);

// Arguments and flags by the hundred thousand.
error("--json 100,000 times", `pages a ${"--json ".repeat(100_000)}`, /--json is given twice/, [
  MAP,
]);
error("an unknown flag 100,000 times", `pages a ${"--xyz ".repeat(100_000)}`, /unknown name xyz/, [
  MAP,
]);
error(
  "100,000 arguments to pages",
  `pages ${"a ".repeat(100_000)}`,
  /too many arguments for pages/,
  [MAP],
);
error(
  "100,001 arguments to mmap",
  `mmap(${"1,".repeat(100_000)}1)`,
  /mmap takes 6 arguments, not 100001/,
);
error("100,000 @ targets", "@1 ".repeat(100_000), /expected a value, found '@'/);
error("100,000 assignments", `x${" = 1".repeat(100_000)}`, /only a variable can be assigned/);
works(
  "a sum of 100,000 characters",
  `x = ${"'a'+".repeat(100_000)}1`,
  value("= 9700001 (0x9402a1)"),
  [],
);

// Strings of any length.
works(
  "a 130 KB path",
  `open("${x(130_000)}", O_RDONLY)`,
  value("= -1 ENAMETOOLONG (File name too long)"),
  [],
);
works(
  "a 4096-byte path",
  `open("${x(4096)}", O_RDONLY)`,
  value("= -1 ENAMETOOLONG (File name too long)"),
  [],
);
works("a 130 KB poke", `poke(a, "${"ab".repeat(65_000)}")`, value("= 130000"));
works(
  "a 1 MB memfd name",
  `memfd_create("${x(MB)}", 0)`,
  value("= -1 EINVAL (Invalid argument)"),
  [],
);
error("a 1 MB unterminated string", `open("${x(MB)}`, /unterminated string; close it with "/);
error("a 1 MB string where a number goes", `x = "${x(MB)}"`, /a string is not a number/);

// Views and accesses of any size: the cost is what is mapped.
const fewLines = (max: number) => (out: string[]) => {
  assert.ok(out.length <= max, `${out.length} lines`);
  assert.match(out[0], /^ADDRESS/);
};
works("pages over the whole user half", "pages 0 0x7ffffffff000", fewLines(40));
works("pages over 64G", "pages g 64G", fewLines(40), [
  "g = mmap(NULL, 64G, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)",
  "poke(g + 5M, 1)",
]);
works("pages --json over 128 TiB", "pages 0 0x7ffffffff000 --json", (out) => {
  const data = JSON.parse(out.join("\n"));
  assert.ok(data.length < 40);
  assert.ok(data.some((r: { pages?: number }) => (r.pages ?? 0) > 2 ** 30));
});
works("pages of 512M populated", "pages b 512M", (out) => assert.equal(out.length, 131073), [
  "b = mmap(NULL, 512M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)",
]);
works("peek of 2M of non-repeating data", "peek(b, 2M)", (out) => {
  assert.equal(out.length, 2 * MB / 16);
  assert.match(out[0], /^[0-9a-f]{12} {2}[0-9a-f]{2} /);
}, [
  "b = mmap(NULL, 2M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  `poke(b, "${noise(2 * MB)}")`,
]);
const VMAS = [
  "v = mmap(NULL, 64M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  ...Array.from({ length: 2600 }, (_, i) => `mprotect(v + ${2 * i}*4K, 4K, PROT_READ)`),
];
works(
  "smaps of 5,000 VMAs",
  "smaps",
  (out) => assert.ok(out.filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length > 5000),
  VMAS,
);
works("smaps --json of 5,000 VMAs", "smaps --json", (out) => {
  assert.ok(JSON.parse(out.join("\n")).length > 5000);
}, VMAS);
works("maps of 5,000 VMAs", "maps", (out) => assert.ok(out.length > 5000), VMAS);
error("pages past the user half", "pages 0 0x800000000001", /LEN must be > 0 and end below/);
error("peek past PEEK_MAX", "peek(a, 1G)", /len must be 0\.\.16777216/, [MAP]);

// JavaScript's prototype names are no names.
for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
  error(
    `policy ${name}`,
    `policy ${name}`,
    new RegExp(`^error at column 8: unknown policy ${name};`),
  );
  error(`policy ${name} x`, `policy ${name} x`, /unknown policy/);
  error(`help ${name}`, `help ${name}`, new RegExp(`^error at column 6: no help for ${name};`));
  error(`@${name}`, `@${name} maps`, new RegExp(`^error at column 2: unknown variable ${name};`));
  error(`x = ${name}`, `x = ${name}`, new RegExp(`^error at column 5: unknown name ${name}`));
  error(`${name}(1)`, `${name}(1)`, new RegExp(`unknown call ${name}`));
  error(`policy fork.pinnedPages ${name}`, `policy fork.pinnedPages ${name}`, /takes cow-steal/);
}
works("__proto__ is an ordinary variable", "__proto__", value("= 5"), ["__proto__ = 5"]);

// Comparisons: C's operators and precedence, 0 or 1.
for (
  const [expr, v] of [
    ["1 == 1", 1],
    ["1 != 1", 0],
    ["2 < 3 == 1", 1],
    ["1 << 2 < 3", 0],
    ["3 & 2 == 2", 1],
    ["-1 < 0", 1],
    ["0xffffffffffffffff == -1", 1],
    ["PROT_READ|PROT_WRITE == 3", 1],
    ["MFD_CLOEXEC|MFD_ALLOW_SEALING == 3", 1],
  ] as const
) {
  works(`x = ${expr}`, `x = ${expr}`, value(v === 1 ? "= 1" : "= 0"), []);
}
error("a lone !", "x = !1", /unexpected character '!'/);
error("a control character", "x = 1\u0001", /^error at column 6: unexpected character U\+0001$/);
error("a NUL", "x = 1\0", /^error at column 6: unexpected character U\+0000$/);
error("a zero-width space", "x = 1 \u200b 2", /unexpected character U\+200B$/);
error("a letter outside ASCII", "x = \u00e9", /unexpected character 'é' \(U\+00E9\)$/);
error(
  "a struct of 50,000 fields, the last twice",
  `ioctl(0, FIONREAD, {${Array.from({ length: 50_000 }, (_, i) => `f${i}=1`).join(",")},f7=2})`,
  /field f7 is given twice/,
);
error("=> is no operator", "x = 1 => 2", /only a variable can be assigned/);

// Every command with a 1 MB name for an argument, and with a prototype name:
// one line naming what is wrong (record writes files: left out).
const CALLS = [
  "mmap",
  "munmap",
  "mprotect",
  "mremap",
  "madvise",
  "mlock",
  "mlock2",
  "munlock",
  "mlockall",
  "msync",
  "mincore",
  "brk",
  "exit",
  "signal",
  "close",
  "ftruncate",
  "pread",
  "pwrite",
  "fallocate",
  "ioctl",
  "peek",
  "poke",
  "memset",
  "exec",
  "open",
  "unlink",
  "memfd_create",
];
for (const c of CALLS) {
  error(
    `${c} with a 1 MB name`,
    `${c}(${x(MB)})`,
    /^error at column \d+: (unknown name x|.* takes (at least )?\d|.* must be a \"string\")/,
  );
  error(
    `${c} with constructor`,
    `${c}(constructor)`,
    /^error at column \d+: (unknown name constructor|.* takes (at least )?\d|.* must be a \"string\")/,
  );
}
for (const c of ["maps", "smaps", "pages"]) {
  error(`${c} with a 1 MB name`, `${c} ${x(MB)}`, /^error at column \d+: unknown name x{40}\.\.\./);
  error(`${c} with __proto__`, `${c} __proto__`, /^error at column \d+: unknown name __proto__/);
}
for (const c of ["ps", "meminfo", "status", "iomem", "dmesg", "check", "vars", "quit"]) {
  error(`${c} with a 1 MB word`, `${c} ${x(MB)}`, /^error at column \d+: too many arguments for/);
}

for (const [what, setup, line, want] of lines) {
  Deno.test(`hostile value: ${what}`, async () => {
    const s = new Session();
    const t0 = performance.now();
    for (const l of setup) {
      const r = await s.run(l);
      assert.equal(r.error, undefined, `${l.slice(0, 60)}: ${r.output.join("\n").slice(0, 200)}`);
    }
    assert.ok(performance.now() - t0 < HANG_MS);
    const heap0 = Deno.memoryUsage().heapUsed;
    const t1 = performance.now();
    const r = await s.run(line);
    const ms = performance.now() - t1;
    assert.ok(ms < HANG_MS, `${ms.toFixed(0)} ms`);
    assert.ok(Deno.memoryUsage().heapUsed - heap0 < 512 * MB);
    for (const o of r.output) {
      assert.doesNotMatch(o.slice(0, 2000), /internal error|Maximum call stack|\.ts:\d+:\d+/);
    }
    if (want instanceof RegExp) {
      assert.equal(r.output.length, 1, r.output.slice(0, 3).join("\n").slice(0, 300));
      assert.ok(r.error !== undefined);
      assert.ok(r.output[0].length < 400, r.output[0].slice(0, 300));
      assert.match(r.output[0], want);
    } else {
      assert.equal(r.error, undefined, r.output.join("\n").slice(0, 300));
      want(r.output);
    }
  });
}

/** Lines of any size given to the completer (Tab): an answer in time linear in the line. */
const tabLines: [string, string][] = [
  ["a million parentheses", "mmap(" + "(".repeat(MB)],
  ["a 1 MB identifier", "x = 1 + " + x(MB)],
  ["a 1 MB word", x(MB)],
  ["pages and 100,000 words", "pages " + "a ".repeat(100_000)],
  ["a call and 1 MB of blanks", "mmap(" + " ".repeat(MB) + "P"],
  ["@ and a 1 MB name", "@" + x(MB)],
  ["a 1 MB string in a call", `open("${x(MB)}", O_`],
];
for (const [what, line] of tabLines) {
  Deno.test(`hostile completion: ${what}`, () => {
    const s = new Session();
    const t0 = performance.now();
    const [hits, prefix] = complete(s, line);
    assert.ok(performance.now() - t0 < HANG_MS);
    assert.ok(Array.isArray(hits) && typeof prefix === "string");
  });
}

/** Command lines that name the wrong kind of file: one line on stderr, exit 2. */
const ROOT = new URL("../../", import.meta.url).pathname;
const commandLines: [string, string[], RegExp][] = [
  ["repl of a directory", ["repl/main.ts", "/tmp"], /^mmlab: cannot read \/tmp: it is a directory/],
  ["repl of a missing file", ["repl/main.ts", "/nonexistent.mm"], /: no such file or directory$/],
  [
    "repl of a path through a file",
    ["repl/main.ts", "/etc/passwd/x"],
    /: a path component is not a directory$/,
  ],
  [
    "fuzz --out through a file",
    ["repl/host/fuzz_main.ts", "--out", "/etc/passwd/x"],
    /^mmlab: fuzz: --out \/etc\/passwd\/x: cannot make the directory: a path component/,
  ],
  [
    "fuzz --out a file",
    ["repl/host/fuzz_main.ts", "--out", "/etc/passwd"],
    /cannot make the directory: it exists and is not a directory$/,
  ],
  [
    "lab --check of a directory",
    ["repl/lab_main.ts", "01", "--check", "/tmp"],
    /^lab: cannot read \/tmp: it is a directory$/,
  ],
  [
    "lab --check of a missing file",
    ["repl/lab_main.ts", "01", "--check", "/nonexistent"],
    /: no such file or directory$/,
  ],
  ["lab of no lab", ["repl/lab_main.ts", "/tmp"], /^lab: no lab "\/tmp"/],
  [
    "repl --record into a directory",
    ["repl/main.ts", "--record", "/tmp", "/dev/null"],
    /^mmlab: record: cannot write \/tmp: it is a directory$/,
  ],
  [
    "repl --record through a file",
    ["repl/main.ts", "--record", "/etc/passwd/x", "/dev/null"],
    /^mmlab: record: cannot write \/etc\/passwd\/x: a path component is not a directory$/,
  ],
  ["fuzz with an unknown flag", ["repl/host/fuzz_main.ts", "--bogus"], /unknown option '--bogus'/],
  ["fuzz --cases x", ["repl/host/fuzz_main.ts", "--cases", "x"], /not a non-negative integer/],
];

for (const [what, args, want] of commandLines) {
  Deno.test(`hostile command line: ${what}`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-all", ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, err);
    assert.equal(err.split("\n").length, 1, err);
    assert.match(err, want);
    assert.equal(new TextDecoder().decode(out.stdout), "");
  });
}

Deno.test("hostile value: replay --update of a recording with a 131,000-line block", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  let out = "";
  const rec = new Recorder((t) => (out += t));
  rec.start(s);
  for (
    const line of [
      "a = mmap(0x7f0000000000, 512M, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE|MAP_NORESERVE, -1, 0)",
      "pages a 512M",
    ]
  ) rec.command(s.pid, line, await s.run(line));
  const r = await replayText(out, { update: true });
  assert.equal(r.passed, 2);
  assert.ok(r.updated!.split("\n").length > 131_000);
});
