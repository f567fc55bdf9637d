/**
 * Shrinking files and punching holes — stub, being written by a helper.
 * truncateInode: mm/truncate.c truncate_setsize -> truncate_pagecache
 * (unmap_mapping_range with even_cows, then drop pages).
 * punchHole: fallocate(FALLOC_FL_PUNCH_HOLE) / shmem_fallocate.
 */
import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
export function truncateInode(_m: Machine, inode: Inode, newSize: number): void {
  inode.size = newSize;
}
export function punchHole(_m: Machine, _inode: Inode, _offset: number, _len: number): void {}
