/**
 * `struct inode` with its page cache (`struct address_space`) and the set
 * of VMAs that map it (`i_mmap`), for an in-memory filesystem.
 *
 * Page-cache pages are frames with PG_FILE (and PG_SHMEM for tmpfs/shmem);
 * the page cache holds one reference on each. There is no backing store:
 * a regular file's page is created (zero-filled) on first access and kept,
 * so its contents persist like a file's would.
 * @module
 */

import type { Vma } from "../mm/vma.ts";

/**
 * What the inode is: a regular file on a disk filesystem (ext4 rules), a
 * shmem/tmpfs file (memfd, shared anonymous memory), a directory (can be
 * opened O_RDONLY, nothing else), or a character device (a terminal).
 */
export type InodeKind = "regular" | "shmem" | "dir" | "chardev";

export interface SuperBlock {
  /** Device numbers as /proc/PID/maps prints them (hex). */
  readonly major: number;
  readonly minor: number;
  /** Mount-wide noexec (MNT_NOEXEC): PROT_EXEC mappings are refused. */
  readonly noexec: boolean;
  /** Supports fallocate(PUNCH_HOLE) (tmpfs/ext4 do). */
  readonly punchHole: boolean;
  /** Filesystem name for messages. */
  readonly name: string;
  /** s_maxbytes: the largest file size; default MAX_LFS_FILESIZE (LLONG_MAX). */
  readonly maxBytes?: number;
}

/** include/linux/fs.h: MAX_LFS_FILESIZE on 64-bit (LLONG_MAX, as a bigint). */
export const MAX_LFS_FILESIZE = 0x7fffffffffffffffn;

export class Inode {
  /** Page cache: page index -> pfn. */
  readonly pages: Map<number, number> = new Map();
  /** i_mmap: every VMA (in any mm) mapping this inode. */
  readonly mappings: Set<Vma> = new Set();
  /** Directory entries naming this inode; 0 once unlinked. */
  nlink = 1;
  /** Mode bits (permission part only, for stat-like views). */
  mode = 0o644;

  constructor(
    readonly ino: number,
    readonly sb: SuperBlock,
    readonly kind: InodeKind,
    /** The path shown in /proc/PID/maps (d_path), without " (deleted)". */
    public path: string,
    /** i_size in bytes. */
    public size = 0,
  ) {}

  /** Pages covering i_size: ceil(size / 4096). */
  get sizePages(): number {
    return Math.ceil(this.size / 4096);
  }

  /** s_maxbytes of the inode's filesystem, as a bigint. */
  get maxBytes(): bigint {
    return this.sb.maxBytes === undefined ? MAX_LFS_FILESIZE : BigInt(this.sb.maxBytes);
  }
}
