/**
 * File syscalls: open, close, ftruncate, pread64, pwrite64, fallocate,
 * unlink, memfd_create — fs/open.c, fs/read_write.c, fs/namei.c,
 * mm/memfd.c, with the ext4 (root filesystem) and shmem (memfd) parts that
 * change what mappings of the file see. Errors come in the kernel's check
 * order; the orders and effects marked "6.18.44" were checked with small C
 * probes on this project's machine (ext4 root, 4 KiB blocks).
 *
 * Arguments are register values (`bigint | number`); `path` arguments are
 * strings; a `buf` is a user address or, for pwrite, the data itself (a
 * string or bytes, as a C string literal would give).
 * @module
 */

import { daxPunchHole, daxSetSize } from "./dax_layout.ts";
import { breakLease } from "./locks.ts";
import {
  EBADF,
  EEXIST,
  EFAULT,
  EFBIG,
  EINVAL,
  EISDIR,
  EMFILE,
  ENAMETOOLONG,
  ENODEV,
  ENOENT,
  ENOMEM,
  ENOTDIR,
  EOPNOTSUPP,
  ESPIPE,
} from "../abi/errno.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "../abi/mman.ts";
import { BIG_TASK_SIZE, TASK_SIZE } from "../abi/layout.ts";
import { PTE_PRESENT, PTE_PROTNONE } from "../mm/pagetable.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
import type { OpenFile } from "./file.ts";
import type { Inode } from "./inode.ts";
import { PATH_MAX } from "./fs.ts";
import { addCachePage, filemapGetPages, filemapWritePage, shmemReadPage } from "../mm/filemap.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import type { Machine } from "../machine.ts";
import { cachePageUnevictable, markAccessed } from "../mm/swap.ts";
import { iput } from "./iput.ts";
import { ext4DioRead, ext4DioWrite } from "./direct_io.ts";
import {
  collapseRange,
  ext4FallocateExtend,
  insertRange,
  punchHole,
  truncateInode,
  zeroEof,
  zeroRange,
} from "../mm/truncate.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { nofileLimit } from "../proc/resource.ts";

type A = bigint | number;

/** include/uapi/asm-generic/fcntl.h, x86-64. */
export const O_NOCTTY = 0o400;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_PATH = 0o10000000;
export const __O_TMPFILE = 0o20000000;
export const O_TMPFILE = __O_TMPFILE | O_DIRECTORY;

/** include/uapi/linux/falloc.h (FALLOC_FL_KEEP_SIZE/PUNCH_HOLE are in mman.ts). */
export const FALLOC_FL_NO_HIDE_STALE = 0x04;
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const FALLOC_FL_INSERT_RANGE = 0x20;
export const FALLOC_FL_UNSHARE_RANGE = 0x40;
export const FALLOC_FL_WRITE_ZEROES = 0x80;
/** include/linux/falloc.h: FALLOC_FL_MODE_MASK (ALLOCATE_RANGE is 0). */
const FALLOC_FL_MODE_MASK = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
  FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE |
  FALLOC_FL_WRITE_ZEROES;

/** include/uapi/linux/memfd.h */
export const MFD_CLOEXEC = 0x1;
/** Allow fcntl(F_ADD_SEALS) on the memfd. */
export const MFD_ALLOW_SEALING = 0x2;
/** Back the memfd with hugetlbfs. */
export const MFD_HUGETLB = 0x4;
/** Non-executable memfd, sealed against becoming executable (F_SEAL_EXEC). */
export const MFD_NOEXEC_SEAL = 0x8;
/** Executable memfd. */
export const MFD_EXEC = 0x10;
const MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
const MFD_HUGE_SHIFT = 26;
const MFD_HUGE_MASK = 0x3f;
/** mm/memfd.c: MFD_NAME_MAX_LEN = NAME_MAX - strlen("memfd:"). */
export const MFD_NAME_MAX_LEN = 249;

/** The default RLIMIT_NOFILE soft limit (1024); open/memfd_create use the process's (nofileLimit). */
export const NOFILE_LIMIT = 1024;
/** include/linux/fs.h: MAX_RW_COUNT = INT_MAX & PAGE_MASK. */
const MAX_RW_COUNT = 0x7ffff000n;
const LLONG_MAX = 0x7fffffffffffffffn;
/** The size a read's non-address buffer stands for: 16 MiB, as mmhost's scratch buffer (BIGBUF). */
export const LITERAL_BUF_MAX = 16n << 20n;
/** The process umask (022, the usual default). */
const UMASK = 0o022;

const big = (x: A): bigint => typeof x === "bigint" ? x : BigInt(Math.trunc(x));
const s64 = (x: A): bigint => BigInt.asIntN(64, big(x));
const u64 = (x: A): bigint => BigInt.asUintN(64, big(x));
const u32 = (x: A): number => Number(BigInt.asUintN(32, big(x)));
const s32 = (x: A): number => Number(BigInt.asIntN(32, big(x)));

/** S_ISREG(): files with data (ext4 regular files and shmem files). */
function isReg(inode: Inode): boolean {
  return inode.kind === "regular" || inode.kind === "shmem";
}

/** The lowest free descriptor (fs/file.c: alloc_fd's find_next_fd). */
export function lowestFreeFd(p: Process): number {
  let fd = 0;
  while (p.fds[fd] !== undefined) fd++;
  return fd;
}

/**
 * fdget(): the file behind `fd`, or undefined for a free slot. An O_PATH
 * file only serves close() and friends (fdget fails on FMODE_PATH), so the
 * data syscalls see EBADF.
 */
export function fdget(p: Process, fd: number): OpenFile | undefined {
  const f = fd >= 0 && fd < p.fds.length ? p.fds[fd] : undefined;
  if (f === undefined || (f.flags & O_PATH)) return undefined;
  return f;
}

/** Installs a new open file description at the lowest free fd (fd_install). */
export function installFile(p: Process, inode: Inode, flags: number): number {
  const f = p.machine.openInode(inode, flags);
  f.refs = 1;
  // do_dentry_open(): the driver's ->open may refuse.
  const err = f.fop.open?.(p, inode, f) ?? 0;
  if (err) return err;
  const fd = p.allocFd(f);
  if (flags & O_CLOEXEC) p.closeOnExec.add(fd);
  return fd;
}

/**
 * Gives a new process its stdin/stdout/stderr: fds 0, 1 and 2 on one open
 * file description of the terminal `/dev/pts/0`, as a shell would (free
 * slots only). Call from process creation.
 */
export function installStdio(p: Process): void {
  const inode = p.machine.fs.tty();
  const f = p.machine.openInode(inode, O_RDWR | O_LARGEFILE);
  f.refs = 0;
  for (let fd = 0; fd < 3; fd++) {
    if (p.fds[fd] === undefined) {
      p.fds[fd] = f;
      f.refs++;
    }
  }
}

/**
 * open(pathname, flags, mode): fs/open.c do_sys_openat2() ->
 * build_open_flags(), getname(), get_unused_fd_flags(), then the path walk
 * (fs/namei.c path_openat / open_last_lookups / do_open). Returns the
 * lowest free fd.
 *
 * Verified on 6.18.44: EEXIST for O_CREAT|O_EXCL on an existing name (or
 * directory); ENOENT without O_CREAT; EISDIR for a directory opened for
 * writing (or O_CREAT on it, or a new name ending in `/`); ENOTDIR for
 * `file/`, `file/x`, `file/..`, O_DIRECTORY on a file; EINVAL for
 * O_CREAT|O_DIRECTORY and bad O_TMPFILE combinations; O_RDONLY|O_TRUNC
 * does truncate; O_TMPFILE makes `DIR/#INO (deleted)`.
 */
export function sysOpen(p: Process, path: string, flagsArg: A, modeArg?: A): number {
  const m = p.machine;
  let flags = s32(flagsArg) >>> 0;
  const mode = modeArg === undefined ? 0 : Number(u64(modeArg) & 0o7777n);
  // build_open_flags()
  if (flags & __O_TMPFILE) {
    if ((flags & (O_TMPFILE | O_CREAT)) !== O_TMPFILE) return -EINVAL;
    if ((flags & O_ACCMODE) !== O_WRONLY && (flags & O_ACCMODE) !== O_RDWR) return -EINVAL;
  } else if ((flags & (O_CREAT | O_DIRECTORY)) === (O_CREAT | O_DIRECTORY)) {
    return -EINVAL;
  }
  if (flags & O_PATH) flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
  // MAY_WRITE: write access, O_TRUNC, or the "ioctl only" access mode 3.
  const acc = flags & O_ACCMODE;
  const mayWrite = !(flags & O_PATH) && (acc !== O_RDONLY || (flags & O_TRUNC) !== 0);
  // getname()
  if (path.length === 0) return -ENOENT;
  if (new TextEncoder().encode(path).length >= PATH_MAX) return -ENAMETOOLONG;
  // get_unused_fd_flags()
  if (lowestFreeFd(p) >= nofileLimit(p)) return -EMFILE;
  const r = m.fs.resolve(path);
  if (typeof r === "number") return r;
  const existing = m.fs.lookup(r.path);
  const isDir = existing === undefined && m.fs.isDirectory(r.path);
  let inode: Inode;
  let created = false;
  if (flags & __O_TMPFILE) {
    // vfs_tmpfile(): an unnamed inode in the directory.
    if (existing !== undefined) return -ENOTDIR;
    if (!isDir) return -ENOENT;
    inode = m.fs.createTmpfile(r.path);
    inode.mode = mode & ~UMASK;
    created = true;
  } else if (isDir) {
    if (flags & O_CREAT) {
      if (r.slash || !(flags & O_EXCL)) return -EISDIR;
      return -EEXIST;
    }
    // may_open(): a directory cannot be opened for writing.
    if (mayWrite) return -EISDIR;
    inode = m.fs.dirInode(r.path);
  } else if (existing !== undefined) {
    if (flags & O_CREAT) {
      // open_last_lookups(): a trailing slash with O_CREAT is EISDIR.
      if (r.slash) return -EISDIR;
      if (flags & O_EXCL) return -EEXIST;
    } else if (r.slash) {
      return -ENOTDIR;
    }
    if (flags & O_DIRECTORY) return -ENOTDIR;
    inode = existing;
  } else {
    if (!(flags & O_CREAT)) return -ENOENT;
    if (r.slash) return -EISDIR;
    inode = m.fs.create(r.path);
    inode.mode = mode & ~UMASK;
    created = true;
  }
  // do_dentry_open(): O_DIRECT needs FMODE_CAN_ODIRECT, which ext4 and
  // shmem files and block devices set in ->open; a directory, a terminal,
  // /dev/null are EINVAL (before handle_truncate).
  if ((flags & O_DIRECT) && !(isReg(inode) || inode.kind === "blockdev")) return -EINVAL;
  // do_dentry_open() -> break_lease(): a conflicting lease is broken first.
  if (!created && inode.kind === "regular" && !(flags & O_PATH)) {
    const err = breakLease(p, inode, flags);
    if (err < 0) return err;
  }
  // do_open() -> handle_truncate(): O_TRUNC on an existing regular file,
  // whatever the access mode, with ftruncate's effect on mappings.
  if ((flags & O_TRUNC) && !created && isReg(inode) && !(flags & O_PATH)) {
    if (inode.dax) {
      const err = daxSetSize(p, inode, 0);
      if (err < 0) return err;
    } else truncateInode(m, inode, 0);
  }
  // do_dentry_open(): f_flags lose the open-time-only bits; x86-64 forces
  // O_LARGEFILE. An O_PATH file can neither read nor write.
  let fileFlags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
  fileFlags = (flags & O_PATH) ? fileFlags | O_ACCMODE : fileFlags | O_LARGEFILE;
  return installFile(p, inode, fileFlags);
}

/**
 * close(fd): EBADF for a free slot. Mappings of the file stay valid (the
 * VMA holds the file); an unlinked inode nothing holds any more loses its
 * page cache (fput -> iput -> evict).
 */
export function sysClose(p: Process, fdArg: A): number {
  const fd = u32(fdArg);
  const f = fd < p.fds.length ? p.fds[fd] : undefined;
  if (f === undefined) return -EBADF;
  p.fds[fd] = undefined;
  p.closeOnExec.delete(fd);
  f.fput(p.machine);
  return 0;
}

/**
 * ftruncate(fd, length): fs/open.c do_sys_ftruncate() -> do_ftruncate() ->
 * do_truncate() -> notify_change() -> inode_newsize_ok() -> ->setattr.
 * Order (6.18.44): length < 0 EINVAL (before the fd), bad fd EBADF, not a
 * regular file or not open for writing EINVAL, growing past s_maxbytes
 * EFBIG (ext4: 0xffffffff000; memfd: LLONG_MAX). Effects: see
 * {@link truncateInode}.
 */
export function sysFtruncate(p: Process, fdArg: A, lenArg: A): number {
  const len = s64(lenArg);
  if (len < 0n) return -EINVAL;
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return -EBADF;
  const inode = f.inode;
  if (!isReg(inode) || !f.writable) return -EINVAL;
  if (len > BigInt(inode.size) && len > inode.maxBytes) return -EFBIG;
  // A DAX file breaks its layouts first and may wait for pinned pages (dax_layout.ts).
  if (inode.dax) return daxSetSize(p, inode, Number(len));
  truncateInode(p.machine, inode, Number(len));
  return 0;
}

function isAddress(buf: unknown): buf is bigint | number {
  return typeof buf === "bigint" || typeof buf === "number";
}

/** access_ok(addr, size) on x86-64: the whole range below TASK_SIZE_MAX, no wrap. */
function accessOk(addr: bigint, count: bigint): boolean {
  return addr + count <= BIG_TASK_SIZE;
}

/**
 * pread64(fd, buf, count, offset): fs/read_write.c ksys_pread64() ->
 * vfs_read() -> filemap_read() / shmem_file_read_iter().
 *
 * Order (6.18.44): offset < 0 EINVAL (before the fd); bad fd EBADF; not
 * open for reading EBADF; buf+count past TASK_SIZE EFAULT (access_ok);
 * offset+count overflowing EINVAL (rw_verify_area); a directory EISDIR.
 * Reads at or past EOF return 0 without touching buf. The copy to user
 * memory goes page by page (copy_to_user): a fault returns the bytes
 * copied so far, or EFAULT if none (a read-only buffer is a fault too).
 * A regular file's missing pages are read from disk with readahead
 * (filemap_get_pages: page_cache_sync_ra, and the next window when the
 * marker is reached), and each page copied from is marked accessed
 * (folio_mark_accessed, except the page the previous read ended in); a
 * shmem hole is copied from the zero page without allocating, and a shmem
 * page read from its start is marked accessed.
 *
 * `buf` is a user address; anything else just returns the data. The bytes
 * read are also returned in `data`.
 */
export function sysPread(
  p: Process,
  fdArg: A,
  buf: A | Uint8Array | string,
  countArg: A,
  offArg: A,
): SysOut {
  const pos = s64(offArg);
  if (pos < 0n) return { ret: -EINVAL };
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return { ret: -EBADF };
  // ksys_pread64(): a stream (a terminal: nonseekable_open) has no FMODE_PREAD.
  if (f.fop.nonseekable) return { ret: -ESPIPE };
  return vfsRead(p, f, buf, countArg, pos);
}

/**
 * fs/read_write.c vfs_read() at `pos`, for pread64 and read: not open for
 * reading EBADF, access_ok EFAULT, rw_verify_area EINVAL, then the file's
 * ->read or the page-cache read (see {@link sysPread}). Returns the bytes
 * read; the caller moves f_pos (read) or not (pread).
 */
export function vfsRead(
  p: Process,
  f: OpenFile,
  buf: A | Uint8Array | string,
  countArg: A,
  pos: bigint,
  onDone?: (ret: number) => void,
): SysOut {
  const m = p.machine;
  if (!f.readable) return { ret: -EBADF };
  let count = u64(countArg);
  const addr = isAddress(buf) ? u64(buf) : null;
  if (addr !== null && !accessOk(addr, count)) return { ret: -EFAULT };
  if (count > LLONG_MAX || pos + count > LLONG_MAX) return { ret: -EINVAL };
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  // A buffer that is not an address stands for a scratch buffer of
  // LITERAL_BUF_MAX bytes (the host harness's is as big): a read fills at
  // most that much, so no read allocates more.
  if (addr === null && count > LITERAL_BUF_MAX) count = LITERAL_BUF_MAX;
  const inode = f.inode;
  if (f.fop.rwIter !== undefined) {
    // ->read_iter of a file that moves the data itself (a block device).
    const r = f.fop.rwIter(p, f, {
      write: false,
      addr: addr === null ? null : Number(addr),
      data: null,
      count: Number(count),
      pos: Number(pos),
      done: onDone,
    });
    return typeof r === "number" ? { ret: r } : r;
  }
  if (f.fop.read !== undefined) {
    // vfs_read(): the file's own ->read (a directory's is EISDIR, a
    // terminal's and /dev/null's EOF, /dev/zero's zeros). Drivers copy a
    // page at a time (read_zero: clear_user per PAGE_SIZE chunk): a fault
    // ends the read with the bytes done, or EFAULT if none.
    const parts: Uint8Array[] = [];
    let done = 0;
    const total = Number(count);
    while (done < total) {
      const chunk = Math.min(total - done, 65536);
      const r = f.fop.read(p, f, chunk, Number(pos) + done);
      if (typeof r === "number") {
        if (done === 0) return { ret: r };
        break;
      }
      if (r.length === 0) break;
      const left = addr !== null ? copyToUser(p, Number(addr) + done, r) : 0;
      parts.push(left === 0 ? r : r.subarray(0, r.length - left));
      done += r.length - left;
      if (left > 0) {
        if (done === 0) return { ret: -EFAULT };
        break;
      }
      if (r.length < chunk) break;
    }
    // One chunk (a read of up to 64 KiB) is returned as the driver made it.
    if (parts.length === 1) return { ret: done, data: parts[0] };
    const data = new Uint8Array(done);
    let at = 0;
    for (const b of parts) {
      data.set(b, at);
      at += b.length;
    }
    return { ret: done, data };
  }
  // O_DIRECT on an ext4 file: the disk straight into the user pages (direct_io.ts).
  if ((f.flags & O_DIRECT) && inode.kind === "regular") {
    return ext4DioRead(p, f, addr === null ? null : Number(addr), Number(count), Number(pos));
  }
  if (count === 0n || pos >= inode.maxBytes || pos >= BigInt(inode.size)) {
    return { ret: 0, data: new Uint8Array(0) };
  }
  const n = Number(count < BigInt(inode.size) - pos ? count : BigInt(inode.size) - pos);
  const out = new Uint8Array(n);
  let done = 0;
  let off = Number(pos);
  let error = 0;
  // filemap_read() marks each page it copies from accessed, but not the
  // first one when the previous read ended in it (pos_same_folio).
  const ra = f.ra;
  let lastPos = ra.prevPos;
  while (done < n && error === 0) {
    const index = Math.floor(off / 4096);
    let batch: number[];
    if (inode.kind === "shmem") {
      const pfn = shmemReadPage(m, inode, index, off % 4096);
      batch = [pfn];
    } else {
      // iter->count: what is left of the request, not cut at EOF.
      const r = filemapGetPages(m, f, off, Number(count) - done);
      if (typeof r === "number") {
        error = -ENOMEM;
        break;
      }
      batch = r;
    }
    for (let i = 0; i < batch.length && done < n; i++) {
      const pfn = batch[i];
      const po = off % 4096;
      const chunk = Math.min(n - done, 4096 - po);
      if (inode.kind !== "shmem") {
        const same = i === 0 && Math.floor(off / 4096) === Math.floor((lastPos - 1) / 4096);
        if (!same) markAccessed(m, pfn, cachePageUnevictable(inode, index + i));
      }
      const bytes = pfn >= 0 ? m.frames.peekBytes(pfn) : undefined;
      if (bytes !== undefined) out.set(bytes.subarray(po, po + chunk), done);
      if (addr !== null) {
        const left = copyToUser(p, Number(addr) + done, out.subarray(done, done + chunk));
        if (left > 0) {
          done += chunk - left;
          lastPos = off + chunk - left;
          error = -EFAULT;
          break;
        }
      }
      done += chunk;
      off += chunk;
      lastPos = off;
    }
  }
  if (inode.kind !== "shmem") ra.prevPos = lastPos;
  if (done === 0 && error !== 0) return { ret: error };
  return { ret: done, data: out.subarray(0, done) };
}

/** The bytes of a pwrite literal: a string is UTF-8 (its NUL and beyond read as zeros). */
function literalBytes(buf: Uint8Array | string): Uint8Array {
  return typeof buf === "string" ? new TextEncoder().encode(buf) : buf;
}

/**
 * pwrite64(fd, buf, count, offset): fs/read_write.c ksys_pwrite64() ->
 * vfs_write() -> ext4_buffered_write_iter() / shmem_file_write_iter() ->
 * generic_perform_write().
 *
 * Order (6.18.44): offset < 0 EINVAL; bad fd EBADF; not open for writing
 * EBADF; access_ok EFAULT; offset+count overflowing EINVAL; count 0 returns
 * 0 (the file does not grow); with O_APPEND the data goes to EOF whatever
 * the offset (generic_write_checks_count); offset >= s_maxbytes EFBIG, a
 * write reaching past it is cut short. ext4 first zeroes the old EOF
 * block's tail up to the offset when writing beyond EOF
 * (ext4_write_checks). The data goes into the page cache — the frames
 * every shared mapping and every not-yet-COWed private page map — and
 * i_size grows to the end of the data written. A fault in the source
 * buffer ends the write: the bytes before it are written, or EFAULT; the
 * page being written is in the cache all the same, and i_size has grown
 * to the offset of the fault (see {@link writeBeginPage}).
 *
 * `buf` is a user address, or the data (a string or bytes; a count beyond
 * the data reads zeros, as past a C string literal's NUL).
 */
export function sysPwrite(
  p: Process,
  fdArg: A,
  buf: A | Uint8Array | string,
  countArg: A,
  offArg: A,
): SysOut | number {
  const pos0 = s64(offArg);
  if (pos0 < 0n) return -EINVAL;
  const f = fdget(p, u32(fdArg));
  if (f === undefined) return -EBADF;
  if (f.fop.nonseekable) return -ESPIPE; // no FMODE_PWRITE
  const r = vfsWrite(p, f, buf, countArg, pos0);
  // A write the device finishes later (O_DIRECT on a block device) blocks the thread.
  return r.pending === undefined ? r.ret : { ret: r.ret, pending: r.pending };
}

/**
 * fs/read_write.c vfs_write() at `pos0`, for pwrite64 and write (see
 * {@link sysPwrite}): returns the bytes written and the position after
 * them (with O_APPEND, counted from the old EOF), which write stores in
 * f_pos.
 */
export function vfsWrite(
  p: Process,
  f: OpenFile,
  buf: A | Uint8Array | string,
  countArg: A,
  pos0: bigint,
  onDone?: (ret: number) => void,
): { ret: number; pos: bigint; pending?: number } {
  const m = p.machine;
  const fail = (ret: number) => ({ ret, pos: pos0 });
  if (!f.writable) return fail(-EBADF);
  let count = u64(countArg);
  const addr = isAddress(buf) ? u64(buf) : null;
  if (addr !== null && !accessOk(addr, count)) return fail(-EFAULT);
  if (count > LLONG_MAX || pos0 + count > LLONG_MAX) return fail(-EINVAL);
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  const inode = f.inode;
  if (f.fop.rwIter !== undefined) {
    // ->write_iter of a file that moves the data itself (a block device).
    const data = typeof buf === "string" || buf instanceof Uint8Array ? literalBytes(buf) : null;
    const r = f.fop.rwIter(p, f, {
      write: true,
      addr: addr === null ? null : Number(addr),
      data,
      count: Number(count),
      pos: Number(pos0),
      done: onDone,
    });
    const ret = typeof r === "number" ? r : r.ret;
    return { ret, pos: ret > 0 ? pos0 + BigInt(ret) : pos0, ...(typeof r === "number" ? {} : r) };
  }
  if (f.fop.write !== undefined) {
    const data = typeof buf === "string" || buf instanceof Uint8Array ? literalBytes(buf) : null;
    const r = f.fop.write(p, f, data, Number(count), Number(pos0));
    return { ret: r, pos: r > 0 ? pos0 + BigInt(r) : pos0 };
  }
  if (!isReg(inode)) return fail(-EINVAL);
  if ((f.flags & O_DIRECT) && inode.kind === "regular") {
    const literal = addr === null ? literalBytes(buf as Uint8Array | string) : null;
    const a = addr === null ? null : Number(addr);
    return ext4DioWrite(p, f, a, literal, Number(count), Number(pos0));
  }
  // generic_write_checks()
  if (count === 0n) return fail(0);
  const pos = (f.flags & O_APPEND) ? BigInt(inode.size) : pos0;
  if (pos >= inode.maxBytes) return fail(-EFBIG);
  if (count > inode.maxBytes - pos) count = inode.maxBytes - pos;
  const start = Number(pos);
  if (inode.kind === "regular" && start > inode.size) zeroEof(m, inode, inode.size, start);
  // generic_perform_write(): page by page, copying from user memory until
  // the first fault (copy_folio_from_iter_atomic), or from the literal.
  const n = Number(count);
  const literal = addr === null ? literalBytes(buf as Uint8Array | string) : null;
  const frames = m.frames;
  let done = 0;
  let error = 0;
  while (done < n) {
    const off = start + done;
    const index = Math.floor(off / 4096);
    const po = off - index * 4096;
    let chunk = Math.min(n - done, 4096 - po);
    // ->write_begin() comes before the copy (6.18 no longer faults the
    // source in first), so the folio exists even when the copy then fails.
    const pfn = writeBeginPage(m, inode, index, n - done);
    if (pfn < 0) {
      error = -ENOMEM;
      break;
    }
    let src: Uint8Array;
    if (literal === null) {
      // copy_folio_from_iter_atomic(): page faults disabled, so only what
      // is mapped now is copied; a fault waits for fault_in below, after
      // ->write_end() has moved i_size (its fault-around sees that EOF).
      const now = mappedPrefix(p, Number(addr) + done, chunk);
      src = now > 0 ? copyFromUser(p, Number(addr) + done, now) : new Uint8Array(0);
      if (src.length === 0) {
        // ->write_end() with nothing copied still moves i_size up to pos
        // (shmem_write_end, ext4_da_write_end: pos + copied > i_size);
        // then fault_in_iov_iter_readable() and, if the source faults in
        // now (a mapping of this file, no longer past EOF), the copy again.
        if (off > inode.size) inode.size = off;
        src = copyFromUser(p, Number(addr) + done, chunk);
        if (src.length === 0) {
          error = -EFAULT;
          break;
        }
      }
      // A short copy writes what it got; the next round starts after it.
      chunk = src.length;
    } else {
      src = literal.subarray(
        Math.min(done, literal.length),
        Math.min(done + chunk, literal.length),
      );
    }
    for (let i = 0; i < chunk; i++) frames.writeByte(pfn, po + i, i < src.length ? src[i] : 0);
    done += chunk;
    // ->write_end(): i_size follows each folio's copy.
    if (start + done > inode.size) inode.size = start + done;
  }
  return done === 0 ? fail(error) : { ret: done, pos: pos + BigInt(done) };
}

/**
 * How many bytes of [addr, addr + len) a copy with page faults disabled
 * reads: up to the first page with no present, readable PTE.
 */
function mappedPrefix(p: Process, addr: number, len: number): number {
  let a = addr;
  while (a < addr + len) {
    if (a < 0 || a >= TASK_SIZE) break;
    const b = p.mm.pt.bitsAt(Math.floor(a / 4096));
    if (!(b & PTE_PRESENT) || (b & PTE_PROTNONE)) break;
    a = (Math.floor(a / 4096) + 1) * 4096;
  }
  return Math.min(a, addr + len) - addr;
}

/** mm/filemap.c: MAX_PAGECACHE_ORDER on x86-64. */
const MAX_PAGECACHE_ORDER = 9;

/**
 * The page-cache page a buffered write of `left` more bytes gets at page
 * `index` (->write_begin: ext4_da_write_begin -> write_begin_get_folio ->
 * __filemap_get_folio(FGP_WRITEBEGIN | fgf_set_order(len))), marked
 * uptodate and dirty (filemapWritePage). A cached page is used as it is.
 * Otherwise, on a filesystem with large folios (ext4, 6.16+), the new
 * folio has the order of the write's length (ilog2(len) - PAGE_SHIFT,
 * len = min(left, the rest of the 2 MiB chunk)), cut to the index's
 * alignment (__ffs(index)) and lowered while it would overlap a cached
 * page (filemap_add_folio -EEXIST); every page of it is added. Only a
 * write whose copy faults shows this: the folio's pages past the bytes
 * copied stay cached (seen with mincore on 6.18.44).
 */
function writeBeginPage(m: Machine, inode: Inode, index: number, left: number): number {
  if (inode.pages.has(index) || inode.kind !== "regular" || !inode.sb.largeFolios) {
    return filemapWritePage(m, inode, index);
  }
  const chunk = 4096 << MAX_PAGECACHE_ORDER;
  const len = Math.min(left, chunk - ((index * 4096) % chunk));
  let order = Math.min(Math.max(Math.floor(Math.log2(len)) - 12, 0), MAX_PAGECACHE_ORDER);
  if (index % 2 ** order !== 0) order = Math.log2(index & -index);
  const taken = (o: number) => {
    for (let i = index; i < index + 2 ** o; i++) if (inode.pages.has(i)) return true;
    return false;
  };
  while (order > 0 && taken(order)) order--;
  for (let i = index; i < index + 2 ** order; i++) {
    if (addCachePage(m, inode, i, order) < 0) return -ENOMEM;
    filemapWritePage(m, inode, i);
  }
  return inode.pages.get(index)!;
}

/**
 * fallocate(fd, mode, offset, len): fs/open.c ksys_fallocate() ->
 * vfs_fallocate() -> ext4_fallocate() / shmem_fallocate().
 *
 * Order (6.18.44): bad fd EBADF; offset < 0 or len <= 0 EINVAL; unknown
 * mode bits or a bad combination EOPNOTSUPP (PUNCH_HOLE needs KEEP_SIZE;
 * COLLAPSE/INSERT/WRITE_ZEROES refuse it); not open for writing EBADF;
 * offset+len past s_maxbytes (or overflowing) EFBIG; then the filesystem:
 * shmem supports only allocation and PUNCH_HOLE (else EOPNOTSUPP); ext4
 * also ZERO_RANGE, COLLAPSE_RANGE and INSERT_RANGE (page-aligned, else
 * EINVAL) but not UNSHARE_RANGE, and not WRITE_ZEROES on this disk.
 *
 * Effects: allocation without KEEP_SIZE grows i_size (ext4 zeroes the old
 * EOF block's tail first); PUNCH_HOLE: see {@link punchHole} (data reads
 * zero, private COW copies survive); ZERO_RANGE likewise, growing the file
 * without KEEP_SIZE. tmpfs allocation adds pages that are not uptodate
 * (mincore does not count them, a fault or write clears them) and marks
 * every page of the range dirty (shmem_fallocate: folio_mark_dirty, so
 * that reclaim keeps them: seen on 6.18.44 as Private_Dirty).
 */
export function sysFallocate(p: Process, fdArg: A, modeArg: A, offArg: A, lenArg: A): number {
  const m = p.machine;
  const f = fdget(p, s32(fdArg));
  if (f === undefined) return -EBADF;
  const mode = s32(modeArg) >>> 0;
  const offset = s64(offArg), len = s64(lenArg);
  if (offset < 0n || len <= 0n) return -EINVAL;
  const keep = (mode & FALLOC_FL_KEEP_SIZE) !== 0;
  if ((mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE)) >>> 0) return -EOPNOTSUPP;
  const op = mode & FALLOC_FL_MODE_MASK;
  switch (op) {
    case 0:
    case FALLOC_FL_UNSHARE_RANGE:
    case FALLOC_FL_ZERO_RANGE:
      break;
    case FALLOC_FL_PUNCH_HOLE:
      if (!keep) return -EOPNOTSUPP;
      break;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case FALLOC_FL_WRITE_ZEROES:
      if (keep) return -EOPNOTSUPP;
      break;
    default:
      return -EOPNOTSUPP;
  }
  if (!f.writable) return -EBADF;
  const inode = f.inode;
  if (inode.kind === "dir") return -EISDIR;
  if (!isReg(inode)) return -ENODEV;
  const end = offset + len;
  if (end > inode.maxBytes || end > LLONG_MAX) return -EFBIG;
  const off = Number(offset), n = Number(len);
  if (inode.kind === "shmem") {
    // mm/shmem.c: shmem_fallocate()
    if (op !== 0 && op !== FALLOC_FL_PUNCH_HOLE) return -EOPNOTSUPP;
    if (op === FALLOC_FL_PUNCH_HOLE) {
      punchHole(m, inode, off, n);
      return 0;
    }
    const err = shmemFallocate(m, inode, off, n);
    if (err) return err;
    if (!keep && off + n > inode.size) inode.size = off + n;
    return 0;
  }
  // fs/ext4/extents.c: ext4_fallocate(); on a DAX file only allocation and
  // PUNCH_HOLE are modelled (dax_layout.ts).
  if (inode.dax) {
    if (op === FALLOC_FL_PUNCH_HOLE) return daxPunchHole(p, inode, off, n);
    if (op !== 0) return -EOPNOTSUPP;
    if (!keep && off + n > inode.size) return daxSetSize(p, inode, off + n);
    return 0;
  }
  switch (op) {
    case FALLOC_FL_PUNCH_HOLE:
      punchHole(m, inode, off, n);
      return 0;
    case FALLOC_FL_ZERO_RANGE:
      zeroRange(m, inode, off, n, keep);
      return 0;
    case FALLOC_FL_COLLAPSE_RANGE:
      // ext4_collapse_range()
      if (off % 4096 || n % 4096) return -EINVAL;
      if (off + n >= inode.size) return -EINVAL;
      collapseRange(m, inode, off, n);
      return 0;
    case FALLOC_FL_INSERT_RANGE:
      // ext4_insert_range()
      if (off % 4096 || n % 4096) return -EINVAL;
      if (len > inode.maxBytes - BigInt(inode.size)) return -EFBIG;
      if (off >= inode.size) return -EINVAL;
      insertRange(m, inode, off, n);
      return 0;
    case 0:
      // ext4_do_fallocate(): blocks only (no page cache); the size grows
      // unless KEEP_SIZE.
      if (!keep && off + n > inode.size) {
        ext4FallocateExtend(m, inode, inode.size, off + n);
        inode.size = off + n;
      }
      return 0;
    default:
      // UNSHARE_RANGE is not ext4's; WRITE_ZEROES needs device support.
      return -EOPNOTSUPP;
  }
}

/**
 * mm/shmem.c: shmem_fallocate() allocation: every page of the range is
 * grabbed with SGP_FALLOC (a missing one added, not uptodate) and marked
 * dirty, even past EOF with KEEP_SIZE. -ENOMEM when memory runs out.
 */
function shmemFallocate(m: Machine, inode: Inode, off: number, n: number): number {
  const frames = m.frames;
  for (let i = Math.floor(off / 4096); i < Math.ceil((off + n) / 4096); i++) {
    let pfn = inode.pages.get(i);
    if (pfn === undefined) {
      pfn = addCachePage(m, inode, i, 0, false);
      if (pfn < 0) return -ENOMEM;
    }
    frames.flags[pfn] |= PG_DIRTY;
  }
  return 0;
}

/**
 * unlink(pathname): fs/namei.c do_unlinkat(). ENOENT for a missing name;
 * EISDIR for a directory (and `.`, `..`, `/`); a trailing slash on a file
 * is ENOTDIR, on a missing name ENOENT. The inode lives on while open or
 * mapped (maps then shows "PATH (deleted)"); when nothing holds it, its
 * page cache is freed now.
 */
export function sysUnlink(p: Process, path: string): number {
  const m = p.machine;
  if (path.length === 0) return -ENOENT;
  if (new TextEncoder().encode(path).length >= PATH_MAX) return -ENAMETOOLONG;
  const r = m.fs.resolve(path);
  if (typeof r === "number") return r;
  if (!r.lastNorm) return -EISDIR;
  const inode = m.fs.lookup(r.path);
  if (inode === undefined) return m.fs.isDirectory(r.path) ? -EISDIR : -ENOENT;
  if (r.slash) return -ENOTDIR;
  m.fs.unlink(r.path);
  iput(m, inode);
  return 0;
}

/**
 * memfd_create(name, flags): mm/memfd.c. Flags: unknown bits EINVAL
 * (MFD_HUGE_* sizes only with MFD_HUGETLB), MFD_EXEC with MFD_NOEXEC_SEAL
 * EINVAL; then a name over 249 bytes EINVAL. The result is an fd open
 * O_RDWR on an unlinked shmem inode named "memfd:NAME": maps shows
 * `/memfd:NAME (deleted)` at device 00:01.
 *
 * MFD_HUGETLB (hugetlbfs) is not modelled: EINVAL here, where the kernel
 * would make a hugetlbfs file.
 */
export function sysMemfdCreate(p: Process, name: string, flagsArg?: A): number {
  const flags = flagsArg === undefined ? 0 : u32(flagsArg);
  if (!(flags & MFD_HUGETLB)) {
    if (flags & ~MFD_ALL_FLAGS) return -EINVAL;
  } else if ((flags & ~(MFD_ALL_FLAGS | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) >>> 0) {
    return -EINVAL;
  }
  if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)) return -EINVAL;
  if (flags & MFD_HUGETLB) return -EINVAL;
  if (new TextEncoder().encode(name).length > MFD_NAME_MAX_LEN) return -EINVAL;
  if (lowestFreeFd(p) >= nofileLimit(p)) return -EMFILE;
  const inode = p.machine.fs.createMemfd(name);
  if (flags & MFD_NOEXEC_SEAL) inode.mode = 0o666;
  return installFile(p, inode, O_RDWR | O_LARGEFILE | (flags & MFD_CLOEXEC ? O_CLOEXEC : 0));
}
