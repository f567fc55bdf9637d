/**
 * Hostile arguments for every command: the registry is walked, so a new
 * command is covered the day it is declared. Each command is fed argument
 * lists built from its own declaration (right kinds, wrong kinds, 0, -1,
 * 2^63, 2^64-1, 2^64, unaligned addresses, huge lengths, unknown words and
 * names, missing and extra arguments, stray flags, unbalanced brackets and
 * quotes, @TARGET of dead and unknown processes) after a random short setup
 * (mmaps, a fork, a dead child, a bound device, a uffd, a pin, RDMA, a
 * notifier, a thread). After every line: nothing escaped `run`, an error is
 * one clear line (what, where; no internal error, no JavaScript words), the
 * session still answers `maps`, and `check` still says ok.
 *
 * MMLAB_HOSTILE_RUNS=N runs N sessions per command (default 2).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { COMMANDS } from "../../repl/commands/index.ts";
import type { ArgDecl, Command } from "../../repl/commands/types.ts";
import { constantsOf, KIND_FAMILIES } from "../../repl/constants.ts";
import { Session } from "../../repl/session.ts";
import { HANG_MS } from "../hang.ts";

const RUNS = Number(Deno.env.get("MMLAB_HOSTILE_RUNS") ?? "2");
/** Hostile lines per session. */
const LINES = 3;

/** Always run first: the mapping most lines name. */
const BASE = [
  "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  "poke(a, 1)",
];
/** Setup steps, any subset in this order; each line must succeed. */
const STEPS: readonly (readonly string[])[] = [
  ["b = mmap(NULL, 2M, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)"],
  [
    'f = open("/tmp/f", O_RDWR|O_CREAT, 0644)',
    "ftruncate(f, 16K)",
    "m = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_SHARED, f, 0)",
  ],
  ["c = fork()"],
  ["d = fork()", "@d exit(3)"],
  ["device-bind 05:00.0 vfio-pci"],
  [
    "g = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "u = userfaultfd(O_NONBLOCK)",
    "ioctl(u, UFFDIO_API, {api=0xaa, features=0})",
    "ioctl(u, UFFDIO_REGISTER, {range={start=g, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  ],
  ["pin_user_pages(a, 1, FOLL_WRITE)"],
  [
    'ctx = ibv_open_device("mlx5_0")',
    "pd = ibv_alloc_pd(ctx)",
    "mr = ibv_reg_mr(pd, a, 16K, IBV_ACCESS_LOCAL_WRITE)",
  ],
  ["n = mmu_interval_notifier_insert(a, 16K)"],
  ["snapshot s"],
  ["t = clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM)"],
  ["trace on"],
  [
    'x = open("/mnt/pmem/r0", O_RDWR|O_CREAT, 0644)',
    "ftruncate(x, 8K)",
    "xm = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, x, 0)",
    'poke(xm, "dax")',
  ],
  [
    'dd = open("/dev/dax0.0", O_RDWR)',
    "dm = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, dd, 0)",
  ],
  [
    'gf = open("/dev/nvidia0", O_RDWR)',
    "gpu = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, gf, 0)",
  ],
  [
    "device-bind 05:00.0 vfio-pci",
    'vc = open("/dev/vfio/vfio", O_RDWR)',
    'vg = open("/dev/vfio/10", O_RDWR)',
    "ioctl(vg, VFIO_GROUP_SET_CONTAINER, [vc])",
    "ioctl(vc, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
    'vd = ioctl(vg, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
    "bar = mmap(NULL, 512K, PROT_READ|PROT_WRITE, MAP_SHARED, vd, 0)",
  ],
  [
    'octx = ibv_open_device("mlx5_0")',
    "opd = ibv_alloc_pd(octx)",
    "omr = ibv_reg_mr(opd, a, 16K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_ON_DEMAND)",
  ],
  ["inject-fault hot-unplug 03:00.0"],
  ["inject-fault mmio-disable 05:00.0"],
];

/** Numbers: good ones, edges, and ones of the wrong size or alignment (no blanks: word args). */
const NUMS = [
  "a",
  "a+4K",
  "a+1",
  "a+8K",
  "b",
  "g",
  "g+4K",
  "m",
  "c",
  "d",
  "u",
  "f",
  "t",
  "n",
  "mr",
  "omr",
  "xm",
  "dm",
  "gpu",
  "bar",
  "bar+0x800",
  "vd",
  "ctx",
  "pd",
  "0",
  "1",
  "3",
  "4K",
  "16K",
  "NULL",
  "-1",
  "-4096",
  "0x8000000000000000",
  "0xffffffffffffffff",
  "0xfffffffffffff000",
  "0x7ffffffff000",
  "0x7fffffffffff",
  "0x800000000000",
  "4095",
  "1T",
  "64G",
  "1<<62",
  "0x1000000",
];
/** Not numbers at all, or not whole ones. */
const WRONG = [
  '"x"',
  '""',
  "{}",
  "{x=1}",
  "[1]",
  "nosuch",
  "PROT_RAED",
  "mmap",
  "maps",
  "18446744073709551616",
  "1/0",
  "1%0",
  "(1",
  "1)",
  "a+",
  "'",
  '"open',
  "05:00.0",
  "constructor",
  "__proto__",
];
const STRS = [
  '"mlx5_0"',
  '"/tmp/f"',
  '""',
  `"${"y".repeat(5000)}"`,
  '"\\x00\\xff"',
  '"/sys/bus/pci/devices/0000:05:00.0/resource0"',
  '"recv"',
  '"send"',
  '"nosuch"',
  '"/tmp/f/x"',
];
const STRUCTS = [
  "{}",
  "{api=0xaa, features=0}",
  "{range={start=a, len=4K}, mode=1}",
  "{range={start=0xffffffffffffffff, len=0xffffffffffffffff}, mode=0}",
  "{dst=a+8K, src=a, len=4K, mode=0}",
  "{range=1}",
  "{api={x=1}}",
  "{nosuch=1}",
  "{rlim_cur=1, rlim_max=0}",
  "{tv_sec=-1, tv_nsec=1000000000}",
  "[5]",
  "[0xffffffffffffffff]",
];
const WORDS = [
  "05:00.0",
  "0000:03:00.0",
  "03:00.1",
  "04:00.0",
  "06:00.0",
  "00:01.0",
  "01:00.0",
  "99:00.0",
  "05:00.8",
  "zz:zz.z",
  "0000:05:00.0:x",
  "vfio-pci",
  "mlx5_core",
  "nvidia",
  "nosuch-driver",
  "on",
  "off",
  "read",
  "write",
  "map",
  "unmap",
  "detach",
  "r",
  "w",
  "rw",
  "x",
  "s",
  "a",
  "1",
  "0",
  "-1",
  "0x10000",
  "0xffffffffffffffff",
  "-vv",
  "-s",
  "-k",
  "-t",
  "1s",
  "0s",
  "-1s",
  "99999999999h",
  "1e9",
  "=",
  "a=b",
  "vm.overcommit_ratio=0",
  "vm.nosuch=1",
  "fork.pinnedPages",
  "constructor",
  "__proto__",
  "nosuch",
];
const TARGETS = ["@1 ", "@c ", "@d ", "@99 ", "@0 ", "@t ", "@nosuch ", "@1.99 ", "@-1 "];
const JUNK = [" )", " (", ' "', " '", " #x", " | grep x", " | head -1", " | nosuch", " ;", " \\"];
const STRAY_FLAGS = ["--json", "--draw", "--wait", "--bogus", "-", "--", "--show-script"];

/** What a word argument may be: mostly the command's own completions, else the common words. */
function wordArb(c: Command, i: number, machine: Session["machine"]): fc.Arbitrary<string> {
  const before: string[] = [];
  for (let j = 0; j < i; j++) {
    const prev = c.args[j].complete?.({ machine }, before.slice()) ?? [];
    before.push(prev[0] ?? "x");
  }
  const own = (c.args[i].complete?.({ machine }, before) ?? []).slice(0, 40);
  const common = fc.constantFrom(...WORDS);
  return own.length === 0
    ? common
    : fc.oneof({ arbitrary: fc.constantFrom(...own), weight: 3 }, { arbitrary: common, weight: 1 });
}

/** One argument's text: mostly what it declares, sometimes anything. */
function argArb(c: Command, d: ArgDecl, words: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const consts = constantsOf(KIND_FAMILIES[d.kind ?? "int"] ?? []).map((k) => k.name).slice(0, 30);
  const nums = fc.constantFrom(...NUMS, ...(consts.length > 0 ? consts : ["0"]));
  const any = fc.oneof(
    { arbitrary: fc.constantFrom(...NUMS, ...WRONG, ...STRS, ...WORDS), weight: 5 },
    { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
  );
  const own = (() => {
    switch (d.accepts) {
      case "word":
        return words;
      case "str":
        return fc.constantFrom(...STRS);
      case "num|str":
        return fc.oneof(nums, fc.constantFrom(...STRS));
      case "num|struct":
        return fc.oneof(nums, fc.constantFrom(...STRUCTS));
      default:
        // A word command's expressions are single words: no blanks inside.
        return c.form === "word"
          ? nums
          : fc.oneof(nums, nums.map((n) => `${n} + 1`), nums.map((n) => `-(${n})`));
    }
  })();
  return fc.oneof({ arbitrary: own, weight: 4 }, { arbitrary: any, weight: 1 });
}

/** One hostile line for command `c`. */
function lineArb(c: Command, machine: Session["machine"]): fc.Arbitrary<string> {
  const decls = c.args.length > 0 ? c.args : [];
  const perArg = decls.map((d, i) => argArb(c, d, wordArb(c, i, machine)));
  const extra = fc.constantFrom(...NUMS, ...WRONG, ...WORDS);
  const args = fc.tuple(
    perArg.length > 0 ? fc.tuple(...perArg) : fc.constant([] as string[]),
    fc.integer({ min: -2, max: 2 }),
    fc.array(extra, { maxLength: 2 }),
  ).map(([list, delta, more]) =>
    delta < 0
      ? list.slice(0, Math.max(0, list.length + delta))
      : delta > 0
      ? [...list, ...more.slice(0, delta)]
      : list
  );
  const flags = fc.subarray([...(c.flags ?? []).map((f) => f.name), ...STRAY_FLAGS], {
    maxLength: 2,
  });
  return fc.record({
    args,
    flags: fc.oneof({ arbitrary: fc.constant([] as string[]), weight: 3 }, {
      arbitrary: flags,
      weight: 1,
    }),
    target: fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, {
      arbitrary: fc.constantFrom(...TARGETS),
      weight: 1,
    }),
    assign: fc.constantFrom("", "", "", "x = ", "mmap = ", "PROT_READ = "),
    junk: fc.oneof({ arbitrary: fc.constant(""), weight: 5 }, {
      arbitrary: fc.constantFrom(...JUNK),
      weight: 1,
    }),
  }).map(({ args, flags, target, assign, junk }) => {
    const body = c.form === "call"
      ? `${assign}${c.name}(${args.join(", ")})`
      : [c.name, ...args].join(" ");
    return `${target}${body}${flags.length > 0 ? " " + flags.join(" ") : ""}${junk}`;
  });
}

/** Words an error line must never show: JavaScript leaking through. */
const LEAKS =
  /\bundefined\b|\bNaN\b|\[object |Cannot read prop|is not a function|is not iterable|Maximum call stack|\.ts:\d+/;
/** And words an error line must not show either (JSON output may say null). */
const ERROR_LEAKS = /\bnull\b|BigInt|Infinity/;

/** Runs `line` and checks the answer; returns whether it was an error. */
async function runChecked(s: Session, line: string, trail: string): Promise<void> {
  const t0 = performance.now();
  const r = await s.run(line);
  const ms = performance.now() - t0;
  assert.ok(ms < HANG_MS, `${trail}: took ${ms.toFixed(0)} ms`);
  for (const o of r.output) assert.doesNotMatch(o.slice(0, 4000), LEAKS, `${trail}\n${o}`);
  if (r.error === undefined) return;
  const shown = r.output.join("\n").slice(0, 600);
  assert.notEqual(r.error.kind, "internal", `${trail}\n${shown}`);
  const last = r.output.at(-1) ?? "";
  assert.doesNotMatch(last, ERROR_LEAKS, `${trail}\n${last}`);
  assert.match(last, /^error( at column \d+)?: \S/, `${trail}\n${shown}`);
  assert.ok(!last.includes("\n"), `${trail}: a multi-line error\n${last}`);
  assert.ok(last.length < 400, `${trail}: an error of ${last.length} characters`);
  assert.equal(r.output.filter((o) => /^error\b/.test(o)).length, 1, `${trail}\n${shown}`);
  // Where: a column inside the line (or just past its end: "expected a value at the end").
  const col = r.error.col;
  if (col !== undefined) {
    assert.ok(col >= 1 && col <= line.length + 1, `${trail}: column ${col}\n${last}`);
  }
  // A wrong count of arguments shows the usage.
  if (/ takes .* arguments?, not \d+/.test(last)) assert.match(last, /; usage: /, trail);
}

/** `maps` answers (or, with every process gone, says so in one line) and `check` says ok. */
async function stillUsable(s: Session, trail: string): Promise<void> {
  const maps = await s.run("maps");
  if (maps.error !== undefined) {
    const live = s.backend.processes().some((p) => p.alive);
    assert.ok(
      !live || maps.error.kind === "process",
      `${trail}: maps fails\n${maps.output.join("\n")}`,
    );
    assert.equal(maps.output.length, 1, `${trail}\n${maps.output.join("\n")}`);
  }
  const check = await s.run("check");
  assert.deepEqual(check.output, ["ok"], `${trail}: check\n${check.output.join("\n")}`);
}

const machine = new Session().machine;
const setupArb = fc.subarray(STEPS.map((_, i) => i), { minLength: 0, maxLength: 7 });

for (const c of COMMANDS.values()) {
  Deno.test(`hostile arguments: ${c.name}`, async () => {
    await fc.assert(
      fc.asyncProperty(
        setupArb,
        fc.array(lineArb(c, machine), { minLength: LINES, maxLength: LINES }),
        async (steps, lines) => {
          const s = new Session();
          const setup = [...BASE, ...steps.flatMap((i) => STEPS[i])];
          for (const l of setup) {
            const r = await s.run(l);
            assert.equal(r.error, undefined, `setup ${l}: ${r.output.join("\n")}`);
          }
          const trail = [`setup: ${setup.join("; ")}`];
          for (const line of lines) {
            trail.push(line.length > 300 ? line.slice(0, 300) + "..." : line);
            const t = trail.join("\n  ");
            await runChecked(s, line, t);
            await stillUsable(s, t);
          }
        },
      ),
      { numRuns: RUNS, seed: hashName(c.name) ^ Number(Deno.env.get("MMLAB_HOSTILE_SEED") ?? 0) },
    );
  });
}

/** A stable seed per command: a new command does not change the others' cases. */
function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}

/** Lines of any commands in a row: what one command leaves behind, the next meets. */
const anyLine = fc.oneof(...[...COMMANDS.values()].map((c) => lineArb(c, machine)));

Deno.test("hostile arguments: any commands in a row", async () => {
  await fc.assert(
    fc.asyncProperty(
      setupArb,
      fc.array(anyLine, { minLength: 4, maxLength: 8 }),
      async (steps, lines) => {
        const s = new Session();
        const setup = [...BASE, ...steps.flatMap((i) => STEPS[i])];
        for (const l of setup) await s.run(l);
        const trail = [`setup: ${setup.join("; ")}`];
        for (const line of lines) {
          trail.push(line.length > 300 ? line.slice(0, 300) + "..." : line);
          const t = trail.join("\n  ");
          await runChecked(s, line, t);
          await stillUsable(s, t);
        }
      },
    ),
    { numRuns: RUNS * 10, seed: 29 ^ Number(Deno.env.get("MMLAB_HOSTILE_SEED") ?? 0) },
  );
});
