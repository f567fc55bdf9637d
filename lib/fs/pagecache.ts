/**
 * The page cache: mm/filemap.c filemap_fault()/filemap_get_folio() and
 * shmem_get_folio() in one, for mmlab's in-memory filesystems. A page is
 * created zero-filled on first use and stays cached (the cache holds one
 * reference); an index at or past EOF has no page (SIGBUS for a fault).
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
import { PG_DIRTY, PG_FILE, PG_SHMEM } from "../phys/frames.ts";

/** No page: the index is at or beyond EOF. */
export const PAGE_BEYOND_EOF = -2;
/** No page: out of memory. */
export const PAGE_NOMEM = -1;
/** No page: a hole in a shmem file, read as zeros without allocating. */
export const PAGE_HOLE = -3;

/**
 * The cached page for `index`, created if inside i_size — what a page fault
 * gets. Returns a pfn, {@link PAGE_BEYOND_EOF} or {@link PAGE_NOMEM}.
 * EOF is checked first, so a page cached beyond EOF (there are none today,
 * but fallocate(KEEP_SIZE) on tmpfs makes them) still faults with SIGBUS:
 * filemap_fault() and shmem_get_folio_gfp(SGP_CACHE) compare with i_size
 * before looking.
 */
export function filemapGetPage(m: Machine, inode: Inode, index: number): number {
  if (index >= inode.sizePages) return PAGE_BEYOND_EOF;
  const cached = inode.pages.get(index);
  if (cached !== undefined) return cached;
  return addCachePage(m, inode, index);
}

/**
 * The page read(2) copies from: mm/filemap.c filemap_read() brings a
 * regular file's page into the cache (a zeroed page for a hole: no backing
 * store), mm/shmem.c shmem_file_read_iter() (SGP_READ) copies holes from
 * the zero page without allocating: {@link PAGE_HOLE}. The caller checks
 * i_size.
 */
export function filemapReadPage(m: Machine, inode: Inode, index: number): number {
  const cached = inode.pages.get(index);
  if (cached !== undefined) return cached;
  if (inode.kind === "shmem") return PAGE_HOLE;
  return addCachePage(m, inode, index);
}

/**
 * The page write(2) copies into (->write_begin: grab the folio, creating
 * it even beyond EOF), marked dirty (->write_end: folio_mark_dirty).
 */
export function filemapWritePage(m: Machine, inode: Inode, index: number): number {
  let pfn = inode.pages.get(index);
  if (pfn === undefined) {
    pfn = addCachePage(m, inode, index);
    if (pfn < 0) return pfn;
  }
  m.frames.flags[pfn] |= PG_DIRTY;
  return pfn;
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

/**
 * Removes the cache's pages with index in [from, to) and drops the cache's
 * reference on each (mm/truncate.c: truncate_inode_pages_range's whole-page
 * part, delete_from_page_cache_batch). Mappings must have been zapped
 * first (unmap_mapping_range); a page still mapped or pinned survives as an
 * orphan until its last reference goes.
 */
export function dropCachePages(m: Machine, inode: Inode, from: number, to = Infinity): void {
  for (const [index, pfn] of [...inode.pages]) {
    if (index < from || index >= to) continue;
    inode.pages.delete(index);
    m.frames.flags[pfn] &= ~PG_DIRTY;
    m.frames.put(pfn);
  }
}
