/**
 * The benchmark catalogue shared by the mmlab side, the kernel side and the
 * report: op names, units, the kernel figures quoted in the issue, and the
 * size presets (the same sizes are passed to bench/kernel_bench.c).
 * @module
 */

/** `ops/s`: higher is better; `us/op` and `ms/op`: lower is better. */
export type Unit = "ops/s" | "us/op" | "ms/op";

export interface OpInfo {
  name: string;
  /** What one operation is, at the given sizes. */
  title: (s: Sizes) => string;
  unit: Unit;
  /**
   * The kernel figure measured for the issue on these machines (at the
   * {@link FULL} sizes); null for an op the host has no counterpart of
   * (emulated hardware: the kernel side skips it).
   */
  issueKernel: number | null;
  /** The size parameters the figure depends on (the issue's figure applies when they match FULL's). */
  scale: (s: Sizes) => number;
}

const kib = (b: number) =>
  b >= 2 ** 30 ? `${b / 2 ** 30} GiB` : b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 1024} KiB`;
const count = (n: number) => n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : `${n}`;

export const OPS: readonly OpInfo[] = [
  {
    name: "mmap",
    title: () => "mmap+munmap of 1 anon page, NULL hint (pairs/s)",
    unit: "ops/s",
    issueKernel: 238_000,
    scale: () => 1,
  },
  {
    name: "fault",
    title: (s) => `first-touch write faults, 1 byte per page of ${kib(s.faultBytes)} (faults/s)`,
    unit: "ops/s",
    issueKernel: 558_000,
    scale: (s) => s.faultBytes,
  },
  {
    name: "mprotect-split",
    title: () => "mprotect middle page of 3 R, then RW: split+merge (pairs/s)",
    unit: "ops/s",
    issueKernel: 180_000,
    scale: () => 1,
  },
  {
    name: "mprotect-rand-1k",
    title: (s) => `random 1-page mprotect flip/flip-back, ${count(s.randSmallVmas)} VMAs (µs/call)`,
    unit: "us/op",
    issueKernel: 2.4,
    scale: (s) => s.randSmallVmas,
  },
  {
    name: "mprotect-rand-60k",
    title: (s) => `random 1-page mprotect flip/flip-back, ${count(s.randLargeVmas)} VMAs (µs/call)`,
    unit: "us/op",
    issueKernel: 2.8,
    scale: (s) => s.randLargeVmas,
  },
  {
    name: "fork",
    title: (s) => `fork with ${kib(s.forkBytes)} touched, child exits (ms/fork)`,
    unit: "ms/op",
    issueKernel: 16.8,
    scale: (s) => s.forkBytes,
  },
  {
    name: "maps",
    title: (s) => `read maps of ${count(s.mapsVmas)} VMAs (ms/read)`,
    unit: "ms/op",
    issueKernel: 2.7,
    scale: (s) => s.mapsVmas,
  },
  {
    name: "uffd",
    title: (s) =>
      `userfaultfd round trip: thread faults, read(uffd), UFFDIO_COPY, thread resumes; ` +
      `${count(s.uffdPages)} pages (round trips/s)`,
    unit: "ops/s",
    issueKernel: 20_500,
    scale: () => 1,
  },
  {
    name: "device-doorbell",
    title: (s) =>
      `4-byte stores to a BAR mapped from sysfs resource0, ${count(s.doorbellWrites)} per ` +
      `repetition (doorbell writes/s; no host counterpart: mmlab only)`,
    unit: "ops/s",
    issueKernel: null,
    scale: () => 1,
  },
  {
    name: "device-dma",
    title: (s) =>
      `4 KiB DMA writes queued and completed on the virtual clock, ${count(s.dmaOps)} per ` +
      `repetition (DMA ops/s; no host counterpart: mmlab only)`,
    unit: "ops/s",
    issueKernel: null,
    scale: () => 1,
  },
  {
    name: "rdma-reg-mr",
    title: (s) =>
      `ibv_reg_mr of ${kib(s.mrBytes)} (ib_umem_get pins ${count(s.mrBytes / 4096)} pages) ` +
      `then ibv_dereg_mr (ms/pair; no host counterpart: mmlab only)`,
    unit: "ms/op",
    issueKernel: null,
    scale: (s) => s.mrBytes,
  },
];

/** Whether the host kernel side has this op (emulated devices have none). */
export function hasHostCounterpart(name: string): boolean {
  return opInfo(name).issueKernel !== null;
}

/** The goal: mmlab at least this many times as fast as the kernel on every op. */
export const GOAL = 2;

export function opInfo(name: string): OpInfo {
  const o = OPS.find((x) => x.name === name);
  if (o === undefined) throw new Error(`unknown op ${name}`);
  return o;
}

/** The issue's kernel figure for an op, when `s` runs it at the issue's size; else null. */
export function issueFigure(o: OpInfo, s: Sizes): number | null {
  return o.issueKernel !== null && o.scale(s) === o.scale(FULL) ? o.issueKernel : null;
}

/** Whether a unit is a rate (higher is better) rather than a time per op. */
export function isRate(unit: Unit): boolean {
  return unit === "ops/s";
}

/**
 * How many times faster mmlab is than the kernel (> 1: mmlab is faster):
 * mmlab/kernel for rates, kernel/mmlab for times per op.
 */
export function speedup(unit: Unit, mmlab: number, kernel: number): number {
  return isRate(unit) ? mmlab / kernel : kernel / mmlab;
}

/** Benchmark sizes; both sides run with the same ones. */
export interface Sizes {
  /** Timed repetitions per op (the median is reported). */
  reps: number;
  /** Untimed warm-up repetitions before them. */
  warmup: number;
  /** mmap+munmap pairs per repetition. */
  mmapPairs: number;
  /** Bytes of the region touched page by page, per repetition. */
  faultBytes: number;
  /** mprotect split+merge pairs per repetition. */
  splitPairs: number;
  /** VMAs for mprotect-rand-1k and mprotect-rand-60k. */
  randSmallVmas: number;
  randLargeVmas: number;
  /** Flip+flip-back pairs per repetition (2 calls each). */
  randPairs: number;
  /** Bytes touched before forking. */
  forkBytes: number;
  /** Forks timed (after `warmup` untimed ones). */
  forkReps: number;
  /** VMAs in the maps benchmark. */
  mapsVmas: number;
  /** maps reads per repetition. */
  mapsReads: number;
  /** userfaultfd round trips (pages of the registered region) per repetition. */
  uffdPages: number;
  /** BAR doorbell stores per repetition (mmlab only). */
  doorbellWrites: number;
  /** DMA ops per repetition (mmlab only). */
  dmaOps: number;
  /** Bytes of the RDMA memory region registered and deregistered per repetition (mmlab only). */
  mrBytes: number;
}

/** The default run (under ~2 minutes for both sides on a 2-core machine). */
export const FULL: Sizes = {
  reps: 9,
  warmup: 2,
  mmapPairs: 100_000,
  faultBytes: 256 << 20,
  splitPairs: 100_000,
  randSmallVmas: 1000,
  randLargeVmas: 60_000,
  randPairs: 20_000,
  forkBytes: 1 << 30,
  forkReps: 7,
  mapsVmas: 10_000,
  mapsReads: 20,
  uffdPages: 20_000,
  doorbellWrites: 200_000,
  dmaOps: 20_000,
  mrBytes: 1 << 30,
};

/** `--quick`: a smoke run of a few seconds; the figures are only indicative. */
export const QUICK: Sizes = {
  reps: 3,
  warmup: 1,
  mmapPairs: 5_000,
  faultBytes: 16 << 20,
  splitPairs: 5_000,
  randSmallVmas: 1000,
  randLargeVmas: 60_000,
  randPairs: 2_000,
  forkBytes: 64 << 20,
  forkReps: 3,
  mapsVmas: 10_000,
  mapsReads: 3,
  uffdPages: 2_000,
  doorbellWrites: 20_000,
  dmaOps: 2_000,
  mrBytes: 256 << 20,
};

/** Tiny sizes for the tests: every code path, no meaningful timing. */
export const TINY: Sizes = {
  reps: 2,
  warmup: 1,
  mmapPairs: 50,
  faultBytes: 64 << 12,
  splitPairs: 50,
  randSmallVmas: 16,
  randLargeVmas: 64,
  randPairs: 20,
  forkBytes: 32 << 12,
  forkReps: 2,
  mapsVmas: 32,
  mapsReads: 2,
  uffdPages: 8,
  doorbellWrites: 50,
  dmaOps: 10,
  mrBytes: 16 << 12,
};

/** Key=value arguments for bench/kernel_bench.c. */
export function kernelArgs(s: Sizes, ops: readonly string[]): string[] {
  return [
    `ops=${ops.join(",")}`,
    `reps=${s.reps}`,
    `warmup=${s.warmup}`,
    `mmap_pairs=${s.mmapPairs}`,
    `fault_bytes=${s.faultBytes}`,
    `split_pairs=${s.splitPairs}`,
    `rand_small_vmas=${s.randSmallVmas}`,
    `rand_large_vmas=${s.randLargeVmas}`,
    `rand_pairs=${s.randPairs}`,
    `fork_bytes=${s.forkBytes}`,
    `fork_reps=${s.forkReps}`,
    `maps_vmas=${s.mapsVmas}`,
    `maps_reads=${s.mapsReads}`,
    `uffd_pages=${s.uffdPages}`,
  ];
}

/** The ops selected by `--only` names: exact names, or a prefix before a `-` (`mprotect`). */
export function selectOps(only: readonly string[]): string[] | string {
  if (only.length === 0) return OPS.map((o) => o.name);
  const out: string[] = [];
  for (const want of only) {
    const hits = OPS.filter((o) => o.name === want || o.name.startsWith(want + "-"));
    if (hits.length === 0) {
      return `unknown op "${want}"; ops: ${OPS.map((o) => o.name).join(", ")}`;
    }
    for (const h of hits) if (!out.includes(h.name)) out.push(h.name);
  }
  return OPS.map((o) => o.name).filter((n) => out.includes(n));
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** One op's figure from one side. */
export interface Measurement {
  op: string;
  /** The median of `samples`. */
  value: number;
  unit: Unit;
  /** One figure per timed repetition, in run order. */
  samples: number[];
}
