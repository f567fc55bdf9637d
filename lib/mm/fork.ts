/** fork(2) — stub, being written. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysFork(_p: Process): number {
  return -ENOSYS;
}
