/** mprotect(2) — stub, being written. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysMprotect(_p: Process, _a: bigint | number, _l: bigint | number, _prot: bigint | number): number {
  return -ENOSYS;
}
