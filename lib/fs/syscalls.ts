/** File syscalls — stubs, being written by a helper. */
import { ENOSYS } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
type A = bigint | number;
export function sysOpen(_p: Process, _path: string, _flags: A, _mode?: A): number {
  return -ENOSYS;
}
export function sysClose(_p: Process, _fd: A): number {
  return -ENOSYS;
}
export function sysFtruncate(_p: Process, _fd: A, _len: A): number {
  return -ENOSYS;
}
export function sysPread(_p: Process, _fd: A, _buf: A | Uint8Array | string, _count: A, _off: A): SysOut {
  return { ret: -ENOSYS };
}
export function sysPwrite(_p: Process, _fd: A, _buf: A | Uint8Array | string, _count: A, _off: A): number {
  return -ENOSYS;
}
export function sysFallocate(_p: Process, _fd: A, _mode: A, _off: A, _len: A): number {
  return -ENOSYS;
}
export function sysUnlink(_p: Process, _path: string): number {
  return -ENOSYS;
}
export function sysMemfdCreate(_p: Process, _name: string, _flags?: A): number {
  return -ENOSYS;
}
