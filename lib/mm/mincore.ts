/** mincore(2) — stub, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
export function sysMincore(_p: Process, _a: bigint | number, _l: bigint | number, _vec?: bigint | number): SysOut {
  return { ret: -ENOSYS };
}
