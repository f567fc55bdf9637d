/**
 * The page cache: mm/filemap.c filemap_fault()/filemap_get_folio() and
 * shmem_get_folio() in one, for mmlab's in-memory filesystems. A page is
 * created zero-filled on first use and stays cached (the cache holds one
 * reference); an index at or past EOF has no page (SIGBUS for a fault).
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
import { PG_FILE, PG_SHMEM } from "../phys/frames.ts";

/** No page: the index is at or beyond EOF. */
export const PAGE_BEYOND_EOF = -2;
/** No page: out of memory. */
export const PAGE_NOMEM = -1;

/**
 * The cached page for `index`, created if inside i_size. Returns a pfn,
 * {@link PAGE_BEYOND_EOF} or {@link PAGE_NOMEM}.
 */
export function filemapGetPage(m: Machine, inode: Inode, index: number): number {
  const cached = inode.pages.get(index);
  if (cached !== undefined) return cached;
  if (index >= inode.sizePages) return PAGE_BEYOND_EOF;
  return addCachePage(m, inode, index);
}

/** Adds a new zeroed page to the cache (filemap_add_folio). */
export function addCachePage(m: Machine, inode: Inode, index: number): number {
  const frames = m.frames;
  const pfn = frames.alloc();
  if (pfn < 0) return PAGE_NOMEM;
  frames.flags[pfn] = PG_FILE | (inode.kind === "shmem" ? PG_SHMEM : 0);
  frames.owner[pfn] = inode.ino;
  frames.index[pfn] = index;
  inode.pages.set(index, pfn);
  return pfn;
}

/** Drops the cache's pages at index >= `from` that no mapping still holds (truncate_inode_pages_range). */
export function dropCachePages(m: Machine, inode: Inode, from: number, to = Infinity): void {
  for (const [index, pfn] of [...inode.pages]) {
    if (index < from || index >= to) continue;
    inode.pages.delete(index);
    m.frames.put(pfn);
  }
}
