/** mlock(2) family — stub, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysMlock(_p: Process, _a: bigint | number, _l: bigint | number): number {
  return -ENOSYS;
}
export function sysMlock2(_p: Process, _a: bigint | number, _l: bigint | number, _f: bigint | number): number {
  return -ENOSYS;
}
export function sysMunlock(_p: Process, _a: bigint | number, _l: bigint | number): number {
  return -ENOSYS;
}
export function sysMlockall(_p: Process, _f: bigint | number): number {
  return -ENOSYS;
}
export function sysMunlockall(_p: Process): number {
  return -ENOSYS;
}
