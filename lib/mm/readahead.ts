/**
 * Readahead: mm/readahead.c and the mmap side in mm/filemap.c
 * (do_sync_mmap_readahead). Reading a page that is not cached reads the
 * pages around it too; the window's page `asyncSize` before its end gets
 * the PG_readahead marker, and touching it reads the next window.
 *
 * What this kernel and disk do (checked with mincore on 6.18.44, ext4 on
 * a disk with read_ahead_kb 8192, so ra_pages = 2048):
 * - a read fault on a page that is not cached reads [index - 1024,
 *   index + 1024), clipped at 0 and EOF, the marker 512 pages before the
 *   window's end; a PROT_EXEC mapping reads [index, index + 2048) within
 *   the VMA, without marker, even with MADV_RANDOM; MADV_SEQUENTIAL reads
 *   [index, index + 2048) (page_cache_sync_ra); MADV_RANDOM reads the page
 *   alone;
 * - MADV_WILLNEED reads the range, at most max(io_pages, ra_pages) pages;
 * - touching the marker reads the next window as large folios (order 2
 *   and up); fault-around skips a marked folio whole.
 *
 * Pages are read from the file's blocks on disk at once (the I/O is
 * synchronous here). mmlab keeps one frame per page; a large folio is
 * the pages of an aligned block that share `frames.order`, which matters
 * only for the marker.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "../fs/inode.ts";
import type { FileRaState, OpenFile } from "../fs/file.ts";
import type { Vma } from "./vma.ts";
import { PG_READAHEAD } from "../phys/frames.ts";
import { VM_EXEC, VM_HUGEPAGE, VM_RAND_READ, VM_SEQ_READ } from "./vm_flags.ts";
import { addCachePage } from "./filemap.ts";

/** mm/filemap.c: MMAP_LOTSAMISS: past this many misses, mmap read-around stops. */
export const MMAP_LOTSAMISS = 100;
/** include/linux/pagemap.h: MAX_PAGECACHE_ORDER on x86-64 (HPAGE_PMD_ORDER). */
const MAX_PAGECACHE_ORDER = 9;
/** HPAGE_PMD_NR / HPAGE_PMD_ORDER */
const HPAGE_PMD_NR = 512;
const HPAGE_PMD_ORDER = 9;
/** force_page_cache_ra() reads in 2 MiB chunks. */
const FORCE_CHUNK = 512;

/** floor(log2(x)) for x >= 1. */
function ilog2(x: number): number {
  return 31 - Math.clz32(x);
}

/** __ffs(): the index of the lowest set bit (x > 0). */
function ffs0(x: number): number {
  return ilog2(x & -x);
}

/** roundup_pow_of_two() */
function roundupPow2(x: number): number {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}

/** The last page index inside i_size, or -1 for an empty file. */
function lastIndex(inode: Inode): number {
  return inode.size === 0 ? -1 : Math.floor((inode.size - 1) / 4096);
}

/** Sets PG_readahead on every page of the folio [index, index + 2^order). */
function markFolio(m: Machine, inode: Inode, index: number, order: number): void {
  for (let i = index; i < index + 2 ** order; i++) {
    const pfn = inode.pages.get(i);
    if (pfn !== undefined) m.frames.flags[pfn] |= PG_READAHEAD;
  }
}

/**
 * folio_clear_readahead() on the folio holding `pfn` (the pages around it
 * with the same folio order).
 */
function clearFolioMark(m: Machine, inode: Inode, pfn: number): void {
  const frames = m.frames;
  const order = frames.order[pfn];
  const head = frames.index[pfn] - (frames.index[pfn] % 2 ** order);
  for (let i = head; i < head + 2 ** order; i++) {
    const p = inode.pages.get(i);
    if (p !== undefined && frames.order[p] === order) frames.flags[p] &= ~PG_READAHEAD;
  }
}

/**
 * mm/readahead.c: page_cache_ra_unbounded(): reads the pages of
 * [index, index + nr) that are not cached, as order-0 folios, the one
 * `lookahead` pages before the end getting the marker.
 */
function pageCacheRaUnbounded(
  m: Machine,
  inode: Inode,
  index: number,
  nr: number,
  lookahead: number,
): void {
  const mark = lookahead <= nr ? nr - lookahead : -1;
  for (let i = 0; i < nr; i++) {
    if (inode.pages.has(index + i)) continue; // already present: skip it
    const pfn = addCachePage(m, inode, index + i);
    if (pfn < 0) break;
    if (i === mark) m.frames.flags[pfn] |= PG_READAHEAD;
  }
}

/**
 * mm/readahead.c: do_page_cache_ra(): {@link pageCacheRaUnbounded}, not
 * past the page holding the last byte of the file.
 */
function doPageCacheRa(
  m: Machine,
  inode: Inode,
  index: number,
  nr: number,
  lookahead: number,
): void {
  const end = lastIndex(inode);
  if (end < 0 || index > end) return;
  if (nr > end - index) nr = end - index + 1;
  pageCacheRaUnbounded(m, inode, index, nr, lookahead);
}

/**
 * mm/readahead.c: force_page_cache_ra(), what MADV_WILLNEED (vfs_fadvise
 * POSIX_FADV_WILLNEED) does: reads [index, index + nr), at most
 * max(io_pages, ra_pages) pages, in 2 MiB chunks, without marker.
 */
export function forcePageCacheRa(
  m: Machine,
  file: OpenFile,
  inode: Inode,
  index: number,
  nr: number,
): void {
  const maxPages = Math.max(inode.sb.ioPages ?? 0, file.ra.raPages);
  nr = Math.min(nr, maxPages);
  while (nr > 0) {
    const chunk = Math.min(FORCE_CHUNK, nr);
    doPageCacheRa(m, inode, index, chunk, 0);
    index += chunk;
    nr -= chunk;
  }
}

/**
 * mm/readahead.c: page_cache_ra_order(): reads the window
 * [start, start + ra.size) in folios of order ra.order (aligned, smaller
 * at the edges and before EOF); the folio holding start + size -
 * asyncSize gets the marker. A page already cached ends the large-folio
 * pass; do_page_cache_ra() reads the rest page by page.
 */
function pageCacheRaOrder(m: Machine, inode: Inode, ra: FileRaState, start: number): void {
  const mark = start + ra.size - ra.asyncSize;
  if (!inode.sb.largeFolios || ra.size <= 0) {
    ra.order = 0;
    if (ra.size > 0) doPageCacheRa(m, inode, start, ra.size, ra.asyncSize);
    return;
  }
  const limit = Math.min(lastIndex(inode), start + ra.size - 1);
  let newOrder = Math.min(MAX_PAGECACHE_ORDER, ra.order);
  newOrder = Math.max(Math.min(newOrder, ilog2(ra.size)), 0);
  ra.order = newOrder;
  let index = start;
  let failed = false;
  while (index <= limit) {
    let order = newOrder;
    if (index % 2 ** order) order = ffs0(index);
    while (order > 0 && index + 2 ** order - 1 > limit) order--;
    // ra_alloc_folio(): filemap_add_folio() fails (-EEXIST) if any page of
    // the folio is cached.
    let busy = false;
    for (let i = index; i < index + 2 ** order && !busy; i++) busy = inode.pages.has(i);
    if (busy || m.frames.freeCount < 2 ** order) {
      failed = true;
      break;
    }
    for (let i = index; i < index + 2 ** order; i++) addCachePage(m, inode, i, order);
    if (index === mark - (mark % 2 ** order)) markFolio(m, inode, index, order);
    index += 2 ** order;
  }
  if (!failed) return;
  if (ra.size > index - start) {
    doPageCacheRa(m, inode, index, ra.size - (index - start), ra.asyncSize);
  }
}

/** mm/readahead.c: get_init_ra_size() */
function getInitRaSize(size: number, max: number): number {
  const newsize = roundupPow2(size);
  if (newsize <= Math.floor(max / 32)) return newsize * 4;
  if (newsize <= Math.floor(max / 4)) return newsize * 2;
  return max;
}

/** mm/readahead.c: get_next_ra_size() */
function getNextRaSize(ra: FileRaState, max: number): number {
  const cur = ra.size;
  if (cur < Math.floor(max / 16)) return 4 * cur;
  if (cur <= Math.floor(max / 2)) return 2 * cur;
  return max;
}

/** mm/readahead.c: ractl_max_pages(): ra_pages, or up to io_pages for a larger request. */
function ractlMaxPages(inode: Inode, ra: FileRaState, reqSize: number): number {
  let max = ra.raPages;
  const io = inode.sb.ioPages ?? 0;
  if (reqSize > max && io > max) max = Math.min(reqSize, io);
  return max;
}

/**
 * mm/filemap.c: page_cache_prev_miss(): the highest index in
 * [index - maxScan + 1, index] that is not cached, scanning down; -1
 * (ULONG_MAX) when the scan runs below page 0.
 */
function pageCachePrevMiss(inode: Inode, index: number, maxScan: number): number {
  let x = index;
  for (let n = 0; n < maxScan; n++) {
    if (n > 0) x--;
    if (x < 0) return -1;
    if (!inode.pages.has(x)) return x;
  }
  return x;
}

/**
 * mm/filemap.c: page_cache_next_miss(): the lowest index in
 * [index, index + maxScan) that is not cached, else index + maxScan.
 */
function pageCacheNextMiss(inode: Inode, index: number, maxScan: number): number {
  for (let i = index; i < index + maxScan; i++) if (!inode.pages.has(i)) return i;
  return index + maxScan;
}

/**
 * mm/readahead.c: page_cache_sync_ra(): a read(2) (or a VM_SEQ_READ fault)
 * missed the cache at `index`, wanting `reqCount` pages. A read at page 0,
 * an oversized one, or one right after the previous read starts a new
 * window of get_init_ra_size(); a random small read reads just what it
 * asks; a read following cached pages starts a window as long as them.
 */
export function pageCacheSyncRa(
  m: Machine,
  file: OpenFile,
  inode: Inode,
  index: number,
  reqCount: number,
): void {
  const ra = file.ra;
  if (!ra.raPages) {
    forcePageCacheRa(m, file, inode, index, 1);
    return;
  }
  const maxPages = ractlMaxPages(inode, ra, reqCount);
  const prevIndex = ra.prevPos < 0 ? -Infinity : Math.floor(ra.prevPos / 4096);
  if (index === 0 || reqCount > maxPages || (index >= prevIndex && index - prevIndex <= 1)) {
    ra.start = index;
    ra.size = getInitRaSize(reqCount, maxPages);
    ra.asyncSize = ra.size > reqCount ? ra.size - reqCount : ra.size >> 1;
  } else {
    const miss = pageCachePrevMiss(inode, index - 1, maxPages);
    let contig = index - miss - 1;
    // Standalone, small random read: read as is, leave the state alone.
    if (contig <= reqCount) {
      doPageCacheRa(m, inode, index, reqCount, 0);
      return;
    }
    // Cached from the start of the file: a long stream.
    if (miss === -1) contig *= 2;
    ra.start = index;
    ra.size = Math.min(contig + reqCount, maxPages);
    ra.asyncSize = 1;
  }
  ra.order = 0;
  pageCacheRaOrder(m, inode, ra, ra.start);
}

/**
 * mm/readahead.c: page_cache_async_ra(): the page `pfn` (at `index`)
 * carried the marker. The marker goes; if it is where the last window
 * put it, the next window follows that one (ramped up), otherwise a new
 * one starts after the cached run. Either way the folio order grows by 2.
 */
export function pageCacheAsyncRa(
  m: Machine,
  file: OpenFile,
  inode: Inode,
  index: number,
  pfn: number,
  reqCount: number,
): void {
  const ra = file.ra;
  if (!ra.raPages) return;
  // PG_readahead is PG_reclaim: a page under writeback keeps it. mmlab's
  // writeback is over by the time anything looks.
  clearFolioMark(m, inode, pfn);
  const maxPages = ractlMaxPages(inode, ra, reqCount);
  const nr = 2 ** m.frames.order[pfn];
  const expectedAt = ra.start + ra.size - ra.asyncSize;
  if (index === expectedAt - (expectedAt % nr)) {
    ra.start += ra.size;
    ra.size = Math.max(ra.size, getNextRaSize(ra, maxPages));
  } else {
    const start = pageCacheNextMiss(inode, index + 1, maxPages);
    if (!start || start - index > maxPages) return;
    ra.start = start;
    ra.size = start - index + reqCount;
    ra.size = getNextRaSize(ra, maxPages);
  }
  ra.order += 2;
  const align = 2 ** Math.min(ra.order, ffs0(maxPages));
  const end = ra.start + ra.size;
  const alignedEnd = end - (end % align);
  if (alignedEnd > ra.start) ra.size -= end - alignedEnd;
  ra.asyncSize = ra.size;
  pageCacheRaOrder(m, inode, ra, ra.start);
}

/**
 * mm/filemap.c: do_sync_mmap_readahead(): a fault on `vma` missed the page
 * cache at file page `index`.
 * - VM_HUGEPAGE: two PMD-sized folios from the aligned index (one with
 *   VM_RAND_READ), marker on the second, even if readahead is off;
 * - VM_RAND_READ (unless VM_EXEC: code is random anyway), or no
 *   readahead: nothing;
 * - VM_SEQ_READ: page_cache_sync_ra() for ra_pages;
 * - after MMAP_LOTSAMISS misses that fault-around did not make up for:
 *   nothing;
 * - VM_EXEC: [index, index + ra_pages) within the VMA, no marker
 *   (exec_folio_order() is 0 on x86);
 * - otherwise the read-around: [index - ra_pages/2, + ra_pages), marker
 *   ra_pages/4 before the end.
 */
export function doSyncMmapReadahead(m: Machine, vma: Vma, index: number): void {
  const file = vma.file!;
  const inode = file.inode;
  const ra = file.ra;
  const flags = vma.flags;
  if (flags & VM_HUGEPAGE) {
    ra.size = HPAGE_PMD_NR * (flags & VM_RAND_READ ? 1 : 2);
    ra.asyncSize = HPAGE_PMD_NR;
    ra.order = HPAGE_PMD_ORDER;
    pageCacheRaOrder(m, inode, ra, index - (index % HPAGE_PMD_NR));
    return;
  }
  if ((flags & (VM_RAND_READ | VM_EXEC)) === VM_RAND_READ) return;
  if (!ra.raPages) return;
  if (flags & VM_SEQ_READ) {
    pageCacheSyncRa(m, file, inode, index, ra.raPages);
    return;
  }
  if (ra.mmapMiss < MMAP_LOTSAMISS * 10) ra.mmapMiss++;
  if (ra.mmapMiss > MMAP_LOTSAMISS) return;
  if (flags & VM_EXEC) {
    const start = Math.max(index, vma.pgoff);
    ra.start = start;
    ra.size = Math.min(start + ra.raPages, vma.pgoff + vma.pages) - start;
    ra.asyncSize = 0;
  } else {
    ra.start = Math.max(0, index - Math.floor(ra.raPages / 2));
    ra.size = ra.raPages;
    ra.asyncSize = Math.floor(ra.raPages / 4);
  }
  ra.order = 0;
  pageCacheRaOrder(m, inode, ra, ra.start);
}
