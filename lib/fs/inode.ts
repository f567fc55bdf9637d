/**
 * `struct inode` with its page cache (`struct address_space`) and the set
 * of VMAs that map it (`i_mmap`).
 *
 * Page-cache pages are frames with PG_FILE (and PG_SHMEM for tmpfs/shmem);
 * the page cache holds one reference on each. A regular file on the root
 * filesystem also has blocks on disk ({@link FileBlocks}): a page-cache
 * miss reads from there, writeback writes there, and a clean page may be
 * dropped from the cache (reclaim) since it can be read again. A shmem
 * file's pages live only in memory.
 * @module
 */

import type { Vma } from "../mm/vma.ts";
import type { WaitQueue } from "../sched/wait.ts";
import { MAX_LFS_FILESIZE_U64 } from "../abi/layout.ts";
import { FileBlocks } from "./disk.ts";
import {
  type FileOperations,
  type InodeOperations,
  NO_FILE_OPS,
  NO_INODE_OPS,
} from "../mm/file_operations.ts";

/** A filesystem's operations for one kind of inode (i_fop, i_op, initial i_flags). */
export interface InodeOpsEntry {
  /** File operations (i_fop). */
  readonly fop: FileOperations;
  /** Inode operations (i_op). */
  readonly iop: InodeOperations;
  /** FS_*_FL flags a new inode starts with (ext4: EXT4_EXTENTS_FL). */
  readonly iflags?: number;
}

/**
 * What the inode is: a regular file on a disk filesystem (ext4 rules), a
 * shmem/tmpfs file (memfd, shared anonymous memory), a directory (can be
 * opened O_RDONLY, nothing else), a character device (a terminal) or a
 * block device (/dev/nvme0n1: its driver's file operations, lib/block).
 */
export type InodeKind = "regular" | "shmem" | "dir" | "chardev" | "blockdev" | "anon";

/** struct super_block: the facts of one mounted filesystem that mm consults. */
export interface SuperBlock {
  /** Device numbers as /proc/PID/maps prints them (hex). */
  readonly major: number;
  /** Minor device number. */
  readonly minor: number;
  /** Mount-wide noexec (MNT_NOEXEC): PROT_EXEC mappings are refused. */
  readonly noexec: boolean;
  /** Supports fallocate(PUNCH_HOLE) (tmpfs/ext4 do). */
  readonly punchHole: boolean;
  /** Filesystem name for messages. */
  readonly name: string;
  /** s_maxbytes: the largest file size; default MAX_LFS_FILESIZE (LLONG_MAX). */
  readonly maxBytes?: number;
  /** Regular files keep their data on a disk (not shmem/tmpfs). */
  readonly disk?: boolean;
  /**
   * bdi->ra_pages: the readahead window in pages (read_ahead_kb / 4);
   * the kernel's default is VM_READAHEAD_PAGES, 32 (128 KiB).
   */
  readonly raPages?: number;
  /** bdi->io_pages: the largest I/O in pages (max_sectors_kb / 4). */
  readonly ioPages?: number;
  /** mapping_large_folio_support(): readahead may add large folios. */
  readonly largeFolios?: boolean;
  /** The operations the filesystem gives each kind of inode it makes. */
  readonly ops?: Readonly<Partial<Record<InodeKind, InodeOpsEntry>>>;
}

/**
 * A lease on an inode (fs/locks.c `struct file_lease`, lib/fs/locks.ts):
 * who holds it through which open file, F_RDLCK or F_WRLCK, whether it is
 * an F_LAYOUT lease (the 2019 RFC), and its break state.
 */
export interface FileLease {
  /** The open file that holds the lease. */
  readonly file: object;
  /** Pid of the lease holder. */
  readonly pid: number;
  /** F_RDLCK or F_WRLCK. */
  type: number;
  /** An F_LAYOUT lease. */
  readonly layout: boolean;
  /** Virtual-clock deadline of a break in progress (lease-break-time), or -1. */
  breakDeadline: number;
  /** F_SETSIG's signal for the break notice (0: SIGIO). */
  sig: number;
  /** What a break in progress takes it to: F_UNLCK, or F_RDLCK (a downgrade). */
  breakTo: number;
  /** Openers waiting for the break (__break_lease). */
  readonly wq: WaitQueue;
}

/** include/linux/fs.h: MAX_LFS_FILESIZE on 64-bit (LLONG_MAX, as a bigint). */
export const MAX_LFS_FILESIZE = MAX_LFS_FILESIZE_U64;

/** struct inode: a file's identity, size, page cache and mappings. */
export class Inode {
  /** Page cache: page index -> pfn. */
  readonly pages: Map<number, number> = new Map();
  /** i_mmap: every VMA (in any mm) mapping this inode. */
  readonly mappings: Set<Vma> = new Set();
  /** Directory entries naming this inode; 0 once unlinked. */
  nlink = 1;
  /** Mode bits (permission part only, for stat-like views). */
  mode = 0o644;
  /** The file's blocks on disk: regular files of a disk filesystem only. */
  readonly blocks: FileBlocks | null;
  /** i_fop: copied to each open file (f_op). */
  readonly fop: FileOperations;
  /** i_op */
  readonly iop: InodeOperations;
  /** FS_*_FL inode flags (FS_IOC_GETFLAGS). */
  iflags: number;
  /** i_private: the object behind an anon inode (a userfaultfd context). */
  priv: unknown = null;
  /** IS_DAX(): S_DAX, the file's pages are pmem mapped directly (lib/fs/dax.ts). */
  dax = false;
  /**
   * ext4's EXT4_STATE_DA_ALLOC_CLOSE (auto_da_alloc): set when the file is
   * truncated to 0; the next ->release flushes its dirty pages.
   */
  daAllocClose = false;
  /** i_flctx's leases (lib/fs/locks.ts). */
  readonly leases: FileLease[] = [];
  /**
   * mm/shmem.c shmem_acct_size(): pages a shmem object made without
   * VM_NORESERVE (shmem_zero_setup: shared anonymous memory) charged to
   * Committed_AS for its whole size, until it is evicted. 0 for everything
   * else (memfd and tmpfs files are VM_NORESERVE).
   */
  shmemAcctPages = 0;

  /** Inode `ino` of kind `kind` on superblock `sb`. */
  constructor(
    readonly ino: number,
    readonly sb: SuperBlock,
    readonly kind: InodeKind,
    /** The path shown in /proc/PID/maps (d_path), without " (deleted)". */
    public path: string,
    /** i_size in bytes. */
    public size = 0,
    /**
     * A character device's driver operations (chrdev_open() finds them by
     * the device number); otherwise the filesystem's for `kind`.
     */
    driver?: InodeOpsEntry,
  ) {
    this.blocks = kind === "regular" && sb.disk ? new FileBlocks() : null;
    const ops = driver ?? sb.ops?.[kind];
    this.fop = ops?.fop ?? NO_FILE_OPS;
    this.iop = ops?.iop ?? NO_INODE_OPS;
    this.iflags = ops?.iflags ?? 0;
  }

  /** Pages covering i_size: ceil(size / 4096). */
  get sizePages(): number {
    return Math.ceil(this.size / 4096);
  }

  /** s_maxbytes of the inode's filesystem, as a bigint. */
  get maxBytes(): bigint {
    return this.sb.maxBytes === undefined ? MAX_LFS_FILESIZE : BigInt(this.sb.maxBytes);
  }
}
