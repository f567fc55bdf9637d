/**
 * include/uapi/linux/time_types.h: struct __kernel_timespec, as nanosleep
 * takes it and strace prints it (`{tv_sec=1, tv_nsec=500000000}`).
 * @module
 */

import type { StructLayout } from "./ioctl.ts";

/** struct timespec (x86-64: two signed 64-bit fields). */
export const TIMESPEC: StructLayout = {
  name: "struct timespec",
  size: 16,
  fields: [
    { name: "tv_sec", offset: 0, type: "u64" },
    { name: "tv_nsec", offset: 8, type: "u64" },
  ],
};

/** NSEC_PER_SEC: nanoseconds in a second (the bound on tv_nsec). */
export const NSEC_PER_SEC = 1_000_000_000;

/** A timespec's bytes as (sec, nsec), both signed. */
export function readTimespec(b: Uint8Array): { sec: bigint; nsec: bigint } {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return { sec: dv.getBigInt64(0, true), nsec: dv.getBigInt64(8, true) };
}

/** `{tv_sec=1, tv_nsec=0}` as strace prints a timespec. */
export function formatTimespec(sec: bigint, nsec: bigint): string {
  return `{tv_sec=${sec}, tv_nsec=${nsec}}`;
}
