/**
 * include/uapi/asm-generic/resource.h: the resource limits, and
 * `struct rlimit` / `struct rlimit64` (two u64s on x86-64), as strace
 * prints them: `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`.
 * @module
 */

import type { StructLayout } from "./ioctl.ts";

export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10;
export const RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12;
export const RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14;
export const RLIMIT_RTTIME = 15;
/** RLIM_NLIMITS: a resource at or above it is EINVAL. */
export const RLIM_NLIMITS = 16;

/** RLIM_INFINITY (~0UL on x86-64), the same as RLIM64_INFINITY. */
export const RLIM_INFINITY = 0xffffffffffffffffn;
export const RLIM64_INFINITY = RLIM_INFINITY;

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
