/**
 * `struct file`: an open file description. Its identity matters: two VMAs
 * merge only if they map the same `struct file`, not merely the same inode
 * (mm/vma.c: is_mergeable_vma).
 * @module
 */

import { leasesRemoveFile } from "./locks.ts";
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/mman.ts";
import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
import type { FileOperations } from "../mm/file_operations.ts";
import { iput } from "./iput.ts";

/**
 * include/linux/fs.h: struct file_ra_state, the readahead state of one
 * open file (file->f_ra): the last readahead window [start, start+size)
 * with the marker `asyncSize` pages before its end, the folio order it
 * used, the mmap miss counter and the end of the previous read().
 */
export interface FileRaState {
  /** First page of the last readahead window. */
  start: number;
  /** Pages in the window. */
  size: number;
  /** Pages before the window's end where async readahead starts (the PG_readahead mark). */
  asyncSize: number;
  /** Folio order the window used. */
  order: number;
  /** Page-cache misses of faults not made up for by fault-around hits. */
  mmapMiss: number;
  /** The byte after the last read(); -1 before the first. */
  prevPos: number;
  /** bdi->ra_pages at open (file_ra_state_init). */
  raPages: number;
}

/** struct file: an open file description, shared by the fds and VMAs that refer to it. */
export class OpenFile {
  /** References: fd-table slots plus VMAs (get_file/fput). */
  refs = 1;
  /** f_pos: where read(2)/write(2) go next, shared by every fd (and fork) using this file. */
  pos = 0n;
  /** F_SETSIG: the signal a lease break sends (0: SIGIO). */
  leaseSig = 0;
  /** f_ra, set up by mm/readahead.c file_ra_state_init() at open. */
  readonly ra: FileRaState;
  /** f_op: the inode's i_fop, copied at open (do_dentry_open). */
  readonly fop: FileOperations;

  /** An open file `id` of `inode`. */
  constructor(
    readonly id: number,
    readonly inode: Inode,
    /** f_flags: open(2) flags; FIONBIO/FIOASYNC change O_NONBLOCK/O_ASYNC. */
    public flags: number,
  ) {
    this.fop = inode.fop;
    this.ra = {
      start: 0,
      size: 0,
      asyncSize: 0,
      order: 0,
      mmapMiss: 0,
      prevPos: -1,
      raPages: inode.sb.raPages ?? 0,
    };
  }

  /**
   * fs/file_table.c: fput(): drops one reference (an fd slot or a VMA);
   * the last one runs f_op->release (__fput), and an unlinked inode
   * nothing reaches any more loses its page cache (iput). mm releases a
   * VMA's file through this, without importing fs.
   */
  fput(m: Machine): void {
    this.refs--;
    if (this.refs === 0) {
      if (this.inode.leases.length > 0) leasesRemoveFile(m, this);
      this.fop.release?.(this.inode, this, m);
    }
    iput(m, this.inode);
  }

  /** FMODE_READ */
  get readable(): boolean {
    const m = this.flags & O_ACCMODE;
    return m === O_RDONLY || m === O_RDWR;
  }

  /** FMODE_WRITE */
  get writable(): boolean {
    const m = this.flags & O_ACCMODE;
    return m === O_WRONLY || m === O_RDWR;
  }
}
