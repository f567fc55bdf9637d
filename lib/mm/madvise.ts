/** madvise(2) — stub, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysMadvise(_p: Process, _a: bigint | number, _l: bigint | number, _advice: bigint | number): number {
  return -ENOSYS;
}
