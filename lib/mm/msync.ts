/** msync(2) — stub, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysMsync(_p: Process, _a: bigint | number, _l: bigint | number, _f: bigint | number): number {
  return -ENOSYS;
}
