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

import {
  CLONE_FLAG_NAMES,
  cpuRead,
  cpuWrite,
  IOCTL_CONSTANTS,
  Machine,
  mapsLines,
  type Process,
  syscall,
  userfaultAccess,
} from "../mod.ts";
import { type Measurement, median, type Sizes, type Unit } from "./ops.ts";
import { benchDma, benchDoorbell, benchRegMr } from "./device_bench.ts";

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

const CLONE = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
/** pthread_create()'s sharing, without the TLS and TID pointers the bench has no use for. */
const THREAD = CLONE.CLONE_VM | CLONE.CLONE_FS | CLONE.CLONE_FILES | CLONE.CLONE_SIGHAND |
  CLONE.CLONE_THREAD;
const ioctlCmd = (name: string) => Number(IOCTL_CONSTANTS.get(name)!);
/** O_NONBLOCK | O_CLOEXEC, as a handler polling its uffd opens it. */
const UFFD_FLAGS = 0o4000 | 0o2000000;

/** An ioctl's struct argument, as a byte literal (what the REPL's `{...}` passes). */
function lit(bytes: Uint8Array) {
  return { value: 0n, literal: bytes };
}

/**
 * 7. userfaultfd round trip, MISSING mode: a second thread stores one byte
 * into each page of a registered region in turn; each store faults and the
 * thread sleeps in handle_userfault; the handler (the main thread) reads
 * the 32-byte uffd_msg into its buffer, takes the fault address from it,
 * resolves the page with UFFDIO_COPY from a source page, which wakes the
 * thread, whose store completes. Round trips/s. The region is mapped and
 * registered untimed, and unmapped after each repetition.
 */
export function benchUffd(s: Sizes): Measurement {
  const m = new Machine({ ramBytes: Math.max(GiB, 4 * s.uffdPages * PAGE) });
  const p = m.init;
  const fd = ok("userfaultfd", syscall(p, "userfaultfd", [UFFD_FLAGS]).ret);
  const apiArg = new Uint8Array(24);
  apiArg[0] = 0xaa; // UFFD_API
  ok("UFFDIO_API", syscall(p, "ioctl", [fd, ioctlCmd("UFFDIO_API"), lit(apiArg)]).ret);
  const t = m.task(ok("clone", syscall(p, "clone", [THREAD]).ret));
  if (t === undefined) throw new Error("clone: no thread");
  // The handler's message buffer and the page it copies from (touched, so COPY reads data).
  const buf = mapAnon(p, PAGE);
  touchPages(p, buf, PAGE);
  const src = mapAnon(p, PAGE);
  ok("fill src", cpuWrite(p, src, new Uint8Array(PAGE).fill(0x5a)).done);
  const REGISTER = ioctlCmd("UFFDIO_REGISTER");
  const COPY = ioctlCmd("UFFDIO_COPY");
  const copyArg = new Uint8Array(40);
  const copyView = new DataView(copyArg.buffer);
  copyView.setBigUint64(8, BigInt(src), true);
  copyView.setBigUint64(16, BigInt(PAGE), true);
  return repeat("uffd", "ops/s", s.warmup, s.reps, () => {
    const n = s.uffdPages;
    const len = n * PAGE;
    const a = mapAnon(p, len);
    const reg = new Uint8Array(32);
    const rv = new DataView(reg.buffer);
    rv.setBigUint64(0, BigInt(a), true);
    rv.setBigUint64(8, BigInt(len), true);
    rv.setBigUint64(16, 1n, true); // UFFDIO_REGISTER_MODE_MISSING
    ok("UFFDIO_REGISTER", syscall(p, "ioctl", [fd, REGISTER, lit(reg)]).ret);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const at = a + i * PAGE;
      // The thread's store faults and it sleeps.
      const w = userfaultAccess(t, "poke", (from) => cpuWrite(p, at + from, ONE.subarray(from)));
      if (w.pending === undefined) throw new Error(`store at ${at.toString(16)} did not wait`);
      // The handler: read(uffd) one message, its pagefault address, UFFDIO_COPY.
      if (syscall(p, "read", [fd, buf, 32]).ret !== 32) throw new Error("read(uffd) failed");
      // msg.arg.pagefault.address: a plain little-endian load, as the C handler's.
      const b = cpuRead(p, buf + 16, 8).bytes!;
      let addr = 0;
      for (let k = 7; k >= 0; k--) addr = addr * 256 + b[k];
      copyView.setBigUint64(0, BigInt(addr), true);
      copyView.setBigUint64(24, 0n, true);
      ok("UFFDIO_COPY", syscall(p, "ioctl", [fd, COPY, lit(copyArg)]).ret);
      // The copy woke the thread and its store finished on the way out of the call.
      if (t.blocked !== null) throw new Error(`thread still waits at ${at.toString(16)}`);
    }
    const dt = performance.now() - t0;
    ok("munmap", syscall(p, "munmap", [a, len]).ret);
    return n / (dt / 1000);
  });
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
    "uffd": () => benchUffd(s),
    "device-doorbell": () => benchDoorbell(s),
    "device-dma": () => benchDma(s),
    "rdma-reg-mr": () => benchRegMr(s),
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
