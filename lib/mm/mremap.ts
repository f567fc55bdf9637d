/** mremap(2) — stub, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
export function sysMremap(
  _p: Process,
  _oldAddr: bigint | number,
  _oldLen: bigint | number,
  _newLen: bigint | number,
  _flags: bigint | number,
  _newAddr: bigint | number,
): number {
  return -ENOSYS;
}
