/**
 * read(2), write(2) and lseek(2): fs/read_write.c ksys_read(),
 * ksys_write(), ksys_lseek(). They work at the open file description's
 * f_pos, which every fd sharing the file (dup, fork) moves; pread/pwrite
 * (lib/fs/syscalls.ts) take the position as an argument and leave f_pos
 * alone. The checks after the fd are vfs_read()/vfs_write()'s.
 * @module
 */

import { EBADF, EINVAL, ESPIPE } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
import { fdget, vfsRead, vfsWrite } from "./syscalls.ts";
import { SEEK_MAX } from "../mm/llseek.ts";

type A = bigint | number;
const u32 = (x: A): number => Number(BigInt.asUintN(32, typeof x === "bigint" ? x : BigInt(x)));
const s64 = (x: A): bigint => BigInt.asIntN(64, typeof x === "bigint" ? x : BigInt(x));

/**
 * read(fd, buf, count): vfs_read() at f_pos, which moves by the bytes read
 * (also after a partial copy that then faulted). Order: a bad fd EBADF, not
 * open for reading EBADF, buf+count past TASK_SIZE EFAULT, f_pos+count
 * overflowing EINVAL, a directory EISDIR; at or past EOF 0.
 */
export function sysRead(p: Process, fdArg: A, buf: A | Uint8Array | string, countArg: A): SysOut {
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return { ret: -EBADF };
  // A read that completes later (O_DIRECT on a block device) moves f_pos then.
  let later = false;
  const r = vfsRead(p, f, buf, countArg, f.pos, (ret) => {
    if (later && ret > 0) f.pos += BigInt(ret);
  });
  later = r.pending !== undefined;
  if (!later && r.ret > 0) f.pos += BigInt(r.ret);
  return r;
}

/**
 * write(fd, buf, count): vfs_write() at f_pos; with O_APPEND at i_size
 * (generic_write_checks), f_pos ending after the data either way. Order
 * as pwrite's after the fd: not open for writing EBADF, EFAULT, EINVAL,
 * EFBIG past s_maxbytes.
 */
export function sysWrite(
  p: Process,
  fdArg: A,
  buf: A | Uint8Array | string,
  countArg: A,
): SysOut | number {
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return -EBADF;
  let later = false;
  const r = vfsWrite(p, f, buf, countArg, f.pos, (ret) => {
    if (later && ret > 0) f.pos += BigInt(ret);
  });
  if (r.pending !== undefined) {
    later = true;
    return { ret: 0, pending: r.pending };
  }
  if (r.ret > 0) f.pos = r.pos;
  return r.ret;
}

/**
 * lseek(fd, offset, whence): a bad fd EBADF; whence above SEEK_HOLE
 * EINVAL; a file without FMODE_LSEEK (a terminal) ESPIPE; then the file's
 * ->llseek (ext4_llseek, shmem_file_llseek, ext4_dir_llseek): a negative
 * or too large result position EINVAL, SEEK_DATA/SEEK_HOLE at or past EOF
 * ENXIO. Returns the new position.
 */
export function sysLseek(p: Process, fdArg: A, offArg: A, whenceArg: A): number {
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return -EBADF;
  const whence = u32(whenceArg);
  if (whence > SEEK_MAX) return -EINVAL;
  if (f.fop.nonseekable || f.fop.llseek === undefined) return -ESPIPE;
  return Number(f.fop.llseek(p, f, s64(offArg), whence));
}
