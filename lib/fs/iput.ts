/**
 * Dropping the last reference to an inode: fs/inode.c iput() ->
 * evict() -> truncate_inode_pages_final(). An unlinked inode (nlink 0)
 * that no VMA maps and no open file holds loses its page cache — this is
 * how shared anonymous memory and memfds give their pages back.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
import { dropCachePages } from "../mm/filemap.ts";
import { daxEvictInode } from "./dax.ts";

/** Frees `inode`'s pages if nothing can reach it any more. */
export function iput(m: Machine, inode: Inode): void {
  if (inode.nlink > 0 || inode.mappings.size > 0) return;
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    for (const f of p.fds) if (f !== undefined && f.inode === inode) return;
  }
  dropCachePages(m, inode, 0);
  // ext4_evict_inode(): an unlinked file's blocks are freed.
  inode.blocks?.clear();
  if (inode.dax) daxEvictInode(m, inode);
}
