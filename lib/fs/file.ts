/**
 * `struct file`: an open file description. Its identity matters: two VMAs
 * merge only if they map the same `struct file`, not merely the same inode
 * (mm/vma.c: is_mergeable_vma).
 * @module
 */

import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/mman.ts";
import type { Inode } from "./inode.ts";

export class OpenFile {
  /** References: fd-table slots plus VMAs (get_file/fput). */
  refs = 1;

  constructor(
    readonly id: number,
    readonly inode: Inode,
    /** open(2) flags. */
    readonly flags: number,
  ) {}

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
