/**
 * The mmlab side of `deno task bench`: every op through the public API
 * (mod.ts), the way a user of the library would drive it. The host-kernel
 * counterpart is bench/kernel_bench.c, with the same sizes.
 *
 * Setup is never timed; each op runs `warmup` untimed repetitions, then
 * `reps` timed ones, and reports the median. bench/main.ts runs each op in
 * a fresh worker (its own V8 heap), so no op pays for another's garbage.
 * @module
 */

import { cpuWrite, Machine, mapsLines, type Process, syscall } from "../mod.ts";
import { type Measurement, median, type Sizes, type Unit } from "./ops.ts";

const PAGE = 4096;
const PROT_READ = 1;
const PROT_RW = 3;
/** MAP_PRIVATE | MAP_ANONYMOUS */
const ANON = 0x22;
const GiB = 2 ** 30;
const ONE = new Uint8Array([1]);

function ok(what: string, ret: number): number {
  if (ret < 0) throw new Error(`${what} failed: ${ret}`);
  return ret;
}

function mapAnon(p: Process, len: number): number {
  return ok("mmap", syscall(p, "mmap", [0n, BigInt(len), PROT_RW, ANON, -1, 0]).ret);
}

/** Writes one byte to every page of [addr, addr+len): one first-touch fault each. */
function touchPages(p: Process, addr: number, len: number): void {
  for (let a = addr; a < addr + len; a += PAGE) {
    const r = cpuWrite(p, a, ONE);
    if (r.sig !== undefined) throw new Error(`store at ${a.toString(16)} faulted`);
  }
}

/** Maps n pages and makes every odd page PROT_READ: n VMAs that cannot merge. */
function alternatingVmas(p: Process, n: number): number {
  const base = mapAnon(p, n * PAGE);
  for (let i = 1; i < n; i += 2) {
    ok("mprotect", syscall(p, "mprotect", [base + i * PAGE, PAGE, PROT_READ]).ret);
  }
  return base;
}

/** Runs `warmup` + `reps` repetitions of `rep` (which returns its figure); keeps the timed ones. */
function repeat(op: string, unit: Unit, warmup: number, reps: number, rep: () => number) {
  for (let i = 0; i < warmup; i++) rep();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) samples.push(rep());
  return { op, unit, value: median(samples), samples } satisfies Measurement;
}

/** The same xorshift32 sequence as kernel_bench.c. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** 1. mmap + munmap of one anonymous private page with a NULL hint: pairs/s. */
export function benchMmap(s: Sizes): Measurement {
  const p = new Machine().init;
  return repeat("mmap", "ops/s", s.warmup, s.reps, () => {
    const n = s.mmapPairs;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const a = syscall(p, "mmap", [0n, 4096n, PROT_RW, ANON, -1, 0]).ret;
      if (a < 0) throw new Error(`mmap failed: ${a}`);
      if (syscall(p, "munmap", [a, 4096n]).ret !== 0) throw new Error("munmap failed");
    }
    return n / ((performance.now() - t0) / 1000);
  });
}

/** 2. First-touch write faults, one cpuWrite of one byte per page: faults/s. */
export function benchFault(s: Sizes): Measurement {
  const p = new Machine({ ramBytes: Math.max(2 * GiB, 2 * s.faultBytes) }).init;
  return repeat("fault", "ops/s", s.warmup, s.reps, () => {
    const len = s.faultBytes;
    const a = mapAnon(p, len);
    const t0 = performance.now();
    touchPages(p, a, len);
    const dt = performance.now() - t0;
    ok("munmap", syscall(p, "munmap", [a, len]).ret);
    return (len / PAGE) / (dt / 1000);
  });
}

/** 3. mprotect of the middle page of a touched 3-page RW mapping, R then RW: pairs/s. */
export function benchMprotectSplit(s: Sizes): Measurement {
  const p = new Machine().init;
  const a = mapAnon(p, 3 * PAGE);
  touchPages(p, a, 3 * PAGE);
  const mid = a + PAGE;
  const before = p.mm.mapCount;
  const m = repeat("mprotect-split", "ops/s", s.warmup, s.reps, () => {
    const n = s.splitPairs;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      if (syscall(p, "mprotect", [mid, 4096, PROT_READ]).ret !== 0) throw new Error("mprotect R");
      if (syscall(p, "mprotect", [mid, 4096, PROT_RW]).ret !== 0) throw new Error("mprotect RW");
    }
    return n / ((performance.now() - t0) / 1000);
  });
  if (p.mm.mapCount !== before) throw new Error("mprotect-split did not merge back");
  return m;
}

/**
 * 4. Random mprotect among `n` VMAs (n pages, odd ones PROT_READ): a call
 * flips a random interior page to the other protection, merging it with
 * both neighbours, the next flips it back (a split); µs per call.
 */
export function benchMprotectRand(s: Sizes, op: string, n: number): Measurement {
  const p = new Machine().init;
  const base = alternatingVmas(p, n);
  const before = p.mm.mapCount;
  const next = xorshift32(0x9e3779b9);
  const m = repeat(op, "us/op", s.warmup, s.reps, () => {
    const pairs = s.randPairs;
    const t0 = performance.now();
    for (let k = 0; k < pairs; k++) {
      const i = 1 + next() % (n - 2);
      const a = base + i * PAGE;
      const odd = i & 1;
      if (syscall(p, "mprotect", [a, 4096, odd ? PROT_RW : PROT_READ]).ret !== 0) {
        throw new Error("mprotect flip");
      }
      if (syscall(p, "mprotect", [a, 4096, odd ? PROT_READ : PROT_RW]).ret !== 0) {
        throw new Error("mprotect back");
      }
    }
    return (performance.now() - t0) * 1000 / (2 * pairs);
  });
  if (p.mm.mapCount !== before) throw new Error(`${op}: VMA count drifted`);
  return m;
}

/** 5. fork of a process with `forkBytes` touched; the child exits (not timed): ms per fork. */
export function benchFork(s: Sizes): Measurement {
  const m = new Machine({ ramBytes: Math.max(GiB, s.forkBytes * 3) });
  const p = m.init;
  const a = mapAnon(p, s.forkBytes);
  touchPages(p, a, s.forkBytes);
  return repeat("fork", "ms/op", s.warmup, s.forkReps, () => {
    const t0 = performance.now();
    const pid = syscall(p, "fork", []).ret;
    const dt = performance.now() - t0;
    const child = m.process(ok("fork", pid));
    if (child === undefined) throw new Error("fork: no child");
    syscall(child, "exit", [0]);
    return dt;
  });
}

/** 6. /proc/self/maps with `mapsVmas` VMAs (plus the initial image's): ms per read. */
export function benchMaps(s: Sizes): Measurement {
  const p = new Machine().init;
  alternatingVmas(p, s.mapsVmas);
  let chars = 0;
  const m = repeat("maps", "ms/op", s.warmup, s.reps, () => {
    const n = s.mapsReads;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) chars = mapsLines(p).join("\n").length;
    return (performance.now() - t0) / n;
  });
  if (chars < s.mapsVmas * 40) throw new Error("maps: short output");
  return m;
}

/** Runs the selected ops on mmlab; `onResult` sees each as it finishes. */
export function runMmlab(
  s: Sizes,
  ops: readonly string[],
  onResult?: (m: Measurement) => void,
): Measurement[] {
  const out: Measurement[] = [];
  const run: Record<string, () => Measurement> = {
    "mmap": () => benchMmap(s),
    "fault": () => benchFault(s),
    "mprotect-split": () => benchMprotectSplit(s),
    "mprotect-rand-1k": () => benchMprotectRand(s, "mprotect-rand-1k", s.randSmallVmas),
    "mprotect-rand-60k": () => benchMprotectRand(s, "mprotect-rand-60k", s.randLargeVmas),
    "fork": () => benchFork(s),
    "maps": () => benchMaps(s),
  };
  for (const op of ops) {
    const f = run[op];
    if (f === undefined) throw new Error(`unknown op ${op}`);
    const m = f();
    out.push(m);
    onResult?.(m);
  }
  return out;
}
