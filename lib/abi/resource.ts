/**
 * include/uapi/asm-generic/resource.h: the resource limits, and
 * `struct rlimit` / `struct rlimit64` (two u64s on x86-64), as strace
 * prints them: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
 * @module
 */

import type { StructLayout } from "./ioctl.ts";

/** RLIMIT_CPU: CPU time in seconds (SIGXCPU at the soft limit). */
export const RLIMIT_CPU = 0;
/** RLIMIT_FSIZE: largest file size a write may create (SIGXFSZ, EFBIG). */
export const RLIMIT_FSIZE = 1;
/** RLIMIT_DATA: data segment size: brk plus private writable mappings. */
export const RLIMIT_DATA = 2;
/** RLIMIT_STACK: main thread stack size; also sets the mmap_base gap. */
export const RLIMIT_STACK = 3;
/** RLIMIT_CORE: largest core dump file. */
export const RLIMIT_CORE = 4;
/** RLIMIT_RSS: resident set size (accepted, not enforced by Linux). */
export const RLIMIT_RSS = 5;
/** RLIMIT_NPROC: processes per real user ID (fork/clone EAGAIN). */
export const RLIMIT_NPROC = 6;
/** RLIMIT_NOFILE: one more than the highest file descriptor (EMFILE). */
export const RLIMIT_NOFILE = 7;
/** RLIMIT_MEMLOCK: bytes of locked memory: mlock, MAP_LOCKED, SHM_LOCK. */
export const RLIMIT_MEMLOCK = 8;
/** RLIMIT_AS: address space size: mmap/brk/mremap ENOMEM beyond it. */
export const RLIMIT_AS = 9;
/** RLIMIT_LOCKS: file locks (unused since Linux 2.4.25). */
export const RLIMIT_LOCKS = 10;
/** RLIMIT_SIGPENDING: queued signals per real user ID. */
export const RLIMIT_SIGPENDING = 11;
/** RLIMIT_MSGQUEUE: bytes in POSIX message queues per real user ID. */
export const RLIMIT_MSGQUEUE = 12;
/** RLIMIT_NICE: ceiling on nice: 20 - rlim_cur. */
export const RLIMIT_NICE = 13;
/** RLIMIT_RTPRIO: ceiling on real-time priority. */
export const RLIMIT_RTPRIO = 14;
/** RLIMIT_RTTIME: real-time CPU time in microseconds without blocking. */
export const RLIMIT_RTTIME = 15;
/** RLIM_NLIMITS: a resource at or above it is EINVAL. */
export const RLIM_NLIMITS = 16;

/** RLIM_INFINITY (~0UL on x86-64), the same as RLIM64_INFINITY. */
export const RLIM_INFINITY = 0xffffffffffffffffn;
/** RLIM64_INFINITY: the 64-bit interface's name for RLIM_INFINITY. */
export const RLIM64_INFINITY: bigint = RLIM_INFINITY;

/** The RLIMIT_* names by number, as strace prints the resource argument. */
export const RLIMIT_NAMES: readonly string[] = [
  "RLIMIT_CPU",
  "RLIMIT_FSIZE",
  "RLIMIT_DATA",
  "RLIMIT_STACK",
  "RLIMIT_CORE",
  "RLIMIT_RSS",
  "RLIMIT_NPROC",
  "RLIMIT_NOFILE",
  "RLIMIT_MEMLOCK",
  "RLIMIT_AS",
  "RLIMIT_LOCKS",
  "RLIMIT_SIGPENDING",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME",
];

/** `struct rlimit` (= `struct rlimit64` on x86-64). */
export const RLIMIT_LAYOUT: StructLayout = {
  name: "struct rlimit",
  size: 16,
  fields: [
    { name: "rlim_cur", offset: 0, type: "u64", rlim: true },
    { name: "rlim_max", offset: 8, type: "u64", rlim: true },
  ],
};

/** The names a command line may use: RLIMIT_*, RLIM_INFINITY, RLIM64_INFINITY. */
export const RESOURCE_CONSTANTS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ...RLIMIT_NAMES.map((n, i) => [n, BigInt(i)] as [string, bigint]),
  ["RLIM_INFINITY", RLIM_INFINITY],
  ["RLIM64_INFINITY", RLIM64_INFINITY],
]);
