/**
 * `struct file_operations` (include/linux/fs.h): what an open file can do.
 * Every inode carries its filesystem's table (i_fop, set when the inode is
 * made, as ext4_set_inode_ops / shmem_get_inode / init_special_inode do)
 * and open copies it to the file (f_op). The VFS never asks which
 * filesystem a file lives on: mmap calls `mmapPrepare`/`mmap`, ioctl
 * calls `ioctl`, and `fopFlags` answers the few yes/no questions
 * (FOP_MMAP_SYNC, FOP_HUGE_PAGES) that the kernel asks of f_op->fop_flags.
 *
 * A mapping gets its `vm_operations_struct` here: mm/vma.c __mmap_region()
 * calls f_op->mmap_prepare (6.16+, before the VMA exists: it sees a
 * {@link VmAreaDesc} and sets its vm_ops) or, for drivers still on the old
 * hook, f_op->mmap (call_mmap, with the new VMA).
 *
 * The tables live beside mm because mm calls them (mmap_region, the fault
 * path); the filesystems in lib/fs fill them in.
 * @module
 */

import type { Vma } from "./vma.ts";
import type { VmOperations } from "./vm_ops.ts";
import type { OpenFile } from "../fs/file.ts";
import type { Inode } from "../fs/inode.ts";
import type { Process } from "../proc/process.ts";
import type { UserArg } from "./uaccess.ts";
import type { Mm } from "./mm.ts";
import type { GetAreaRequest } from "./get_unmapped_area.ts";
import type { SysOut } from "../syscalls.ts";
import type { Machine } from "../machine.ts";

/**
 * One read or write handed to ->read_iter/->write_iter with a user buffer
 * (an ITER_UBUF iov_iter) at `pos`, after the VFS checks.
 */
export interface IterRequest {
  /** ->write_iter (true) or ->read_iter. */
  write: boolean;
  /** The user buffer, or null when the caller passed the data itself (`data`). */
  addr: number | null;
  /** A write's literal bytes (when `addr` is null). */
  data: Uint8Array | null;
  /** Bytes asked for. */
  count: number;
  /** The file position (ki_pos). */
  pos: number;
  /**
   * Called with the result when the call ends, even later (read/write move
   * f_pos by it, as the kernel does once the I/O is done).
   */
  done?: (ret: number) => void;
}

/** include/linux/fs.h fop_flags: the file supports MAP_SYNC (FOP_MMAP_SYNC). */
export const FOP_MMAP_SYNC = 1 << 2;
/** include/linux/fs.h fop_flags: hugetlbfs / SHM_HUGETLB files (is_file_hugepages). */
export const FOP_HUGE_PAGES = 1 << 4;

/**
 * `struct vm_area_desc` (include/linux/mm_types.h): the mapping-to-be that
 * f_op->mmap_prepare sees and may adjust (flags, vm_ops, private data).
 */
export interface VmAreaDesc {
  /** First address of the mapping-to-be. */
  readonly start: number;
  /** End address (exclusive). */
  readonly end: number;
  /** File offset in pages. */
  readonly pgoff: number;
  /** The file being mapped. */
  readonly file: OpenFile;
  /** vm_flags the hook may adjust. */
  vmFlags: number;
  /** vm_ops the hook installs. */
  vmOps: VmOperations | null;
  /** vm_private_data. */
  priv: unknown;
}

/** Context of a file operation: the calling process (current). */
export interface FileOperations {
  /** The kernel's name for the table, for views and messages (`ext4_file_operations`). */
  readonly name: string;
  /** FOP_* bits. */
  readonly fopFlags: number;
  /**
   * ->get_unmapped_area: where a mapping of the file goes (ext4:
   * thp_get_unmapped_area, shmem: shmem_get_unmapped_area); without it,
   * mm_get_unmapped_area() (mm/mmap.c __get_unmapped_area).
   */
  getUnmappedArea?(mm: Mm, req: GetAreaRequest): number;
  /**
   * ->open (do_dentry_open, before the fd is installed): 0, or -errno to
   * refuse the open (a device being removed: ib_uverbs_open's ENXIO/EIO).
   */
  open?(p: Process, inode: Inode, file: OpenFile): number;
  /** ->mmap_prepare: 0 or -errno; sets `desc.vmOps`. */
  mmapPrepare?(desc: VmAreaDesc): number;
  /** ->mmap (call_mmap): 0 or -errno; sets `vma.ops`. */
  mmap?(file: OpenFile, vma: Vma): number;
  /**
   * ->unlocked_ioctl: 0 (or a positive result) or -errno; -ENOIOCTLCMD
   * (not a user errno) for a request it does not know, which sys_ioctl
   * turns into ENOTTY (fs/ioctl.c vfs_ioctl).
   */
  ioctl?(p: Process, file: OpenFile, cmd: number, arg: UserArg): number;
  /**
   * ->read: up to `count` bytes at `pos`, or -errno. Without it the VFS
   * uses the page-cache path (->read_iter: filemap_read, shmem_file_read_iter).
   */
  read?(p: Process, file: OpenFile, count: number, pos: number): Uint8Array | number;
  /**
   * ->read_iter / ->write_iter for a file that moves the data itself rather
   * than through the page cache or ->read/->write (a block device, whose
   * O_DIRECT I/O the device DMAs into the pinned user pages:
   * lib/block/blkdev.ts). Returns bytes done, -errno, or a blocked call
   * (`pending`: the thread sleeps until the I/O completes).
   */
  rwIter?(p: Process, file: OpenFile, req: IterRequest): SysOut | number;
  /** ->write: bytes taken or -errno; without it, the page-cache path (->write_iter). */
  write?(p: Process, file: OpenFile, data: Uint8Array | null, count: number, pos: number): number;
  /**
   * ->llseek: the new f_pos (set through vfs_setpos) or -errno, as a
   * bigint (loff_t). Without it the file has no FMODE_LSEEK: ESPIPE.
   */
  llseek?(p: Process, file: OpenFile, offset: bigint, whence: number): bigint;
  /**
   * ->open calls nonseekable_open() (a terminal): no FMODE_LSEEK,
   * FMODE_PREAD, FMODE_PWRITE, so lseek, pread and pwrite are ESPIPE.
   */
  readonly nonseekable?: boolean;
  /** ->poll: the EPOLL* mask of ready events. */
  poll?(file: OpenFile): number;
  /** ->release: the last reference to the open file went away (__fput). */
  release?(inode: Inode, file: OpenFile, m: Machine): void;
}

/**
 * `struct inode_operations`, the part the VFS ioctls use: fileattr_get
 * answers FS_IOC_GETFLAGS (fs/file_attr.c ioctl_getflags); without it the
 * request is ENOTTY.
 */
export interface InodeOperations {
  /** The inode's FS_*_FL flags. */
  fileattrGet?(inode: Inode): number;
}

/** The inode operations of an inode nothing is modelled for. */
export const NO_INODE_OPS: InodeOperations = Object.freeze({});

/** include/linux/errno.h: ENOIOCTLCMD, kernel-internal ("no ioctl command"). */
export const ENOIOCTLCMD = 515;

/** A table with no operations (a file type nothing is modelled for). */
export const NO_FILE_OPS: FileOperations = { name: "empty_fops", fopFlags: 0 };
