/**
 * The page cache: mm/filemap.c (filemap_fault, filemap_read's
 * filemap_get_pages, write_begin/write_end, writeback) and mm/shmem.c
 * shmem_get_folio(), for mmlab's filesystems.
 *
 * A regular file's page is read from its blocks on disk (lib/fs/disk.ts)
 * when it is missing, with readahead around it (readahead.ts);
 * writeback copies a dirty page back; a clean page may leave the cache
 * (reclaim) and be read again later. A shmem page is created zero-filled
 * and lives only in memory. The cache holds one reference on each page.
 * An index at or past EOF has no page for a fault (SIGBUS).
 *
 * ext4 has large folios (mapping_set_large_folios, 6.16+): a buffered
 * write makes folios of its length's order (fs/syscalls.ts
 * writeBeginPage), readahead makes them too (readahead.ts); a fault maps
 * such a folio whole (fault.ts finishFault) and truncating part of one
 * unmaps all of it (truncate.ts partialLargeFolios). mmlab keeps one
 * frame per page; a folio is the aligned pages sharing `frames.order`.
 *
 * Mappings of these files get their vm_operations here too, as in
 * mm/filemap.c: generic_file_vm_ops (filemap_fault, filemap_map_pages,
 * filemap_page_mkwrite), installed by generic_file_mmap_prepare (ext4's
 * ext4_file_vm_ops has the same hooks).
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "../fs/inode.ts";
import type { OpenFile } from "../fs/file.ts";
import type { Vma } from "./vma.ts";
import {
  PG_DIRTY,
  PG_FILE,
  PG_READAHEAD,
  PG_REFERENCED,
  PG_SHMEM,
  PG_UPTODATE,
} from "../phys/frames.ts";
import { VM_RAND_READ } from "./vm_flags.ts";
import { cachePageUnevictable, FOLIO_BATCH_SIZE, markAccessed } from "./swap.ts";
import { doSyncMmapReadahead, pageCacheAsyncRa, pageCacheSyncRa } from "./readahead.ts";
import type { VmAreaDesc } from "./file_operations.ts";
import { filemapMapPages } from "./fault.ts";
import {
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  type VmFault,
  type VmOperations,
} from "./vm_ops.ts";

/** No page: the index is at or beyond EOF. */
export const PAGE_BEYOND_EOF = -2;
/** No page: out of memory. */
export const PAGE_NOMEM = -1;
/** No page: a hole in a shmem file, read as zeros without allocating. */
export const PAGE_HOLE = -3;
/**
 * No page yet: the fault started I/O with the mmap lock dropped
 * (VM_FAULT_RETRY); the caller redoes the fault with FAULT_FLAG_TRIED.
 */
export const PAGE_RETRY = -4;

/**
 * filemap_add_folio() and, for a regular file, the read that fills the
 * page from disk: a new page-cache page for `index` (PG_uptodate unless
 * `uptodate` is false). `order` is the order of the folio it belongs to.
 * Returns the pfn or {@link PAGE_NOMEM}.
 */
export function addCachePage(
  m: Machine,
  inode: Inode,
  index: number,
  order = 0,
  uptodate = true,
): number {
  const frames = m.frames;
  const pfn = frames.alloc();
  if (pfn < 0) return PAGE_NOMEM;
  frames.flags[pfn] = PG_FILE | (inode.kind === "shmem" ? PG_SHMEM : 0) |
    (uptodate ? PG_UPTODATE : 0);
  frames.owner[pfn] = inode.ino;
  frames.index[pfn] = index;
  frames.order[pfn] = order;
  if (inode.blocks !== null) frames.load(pfn, inode.blocks.read(index));
  inode.pages.set(index, pfn);
  return pfn;
}

/** Whether a page is cached and PG_uptodate (what mincore reports). */
export function pageUptodate(m: Machine, inode: Inode, index: number): boolean {
  const pfn = inode.pages.get(index);
  return pfn !== undefined && (m.frames.flags[pfn] & PG_UPTODATE) !== 0;
}

/**
 * mm/shmem.c: shmem_get_folio(SGP_CACHE), what a fault on a shmem file
 * gets: the cached page for `index`, created zero-filled if inside
 * i_size. Returns a pfn, {@link PAGE_BEYOND_EOF} or {@link PAGE_NOMEM}.
 * EOF is checked first, so a page cached beyond EOF (fallocate(KEEP_SIZE)
 * makes them on tmpfs) still faults with SIGBUS.
 */
export function filemapGetPage(m: Machine, inode: Inode, index: number): number {
  if (index >= inode.sizePages) return PAGE_BEYOND_EOF;
  const cached = inode.pages.get(index);
  if (cached === undefined) return addCachePage(m, inode, index);
  // A page fallocate added: cleared and made uptodate now ("clear:").
  if (!(m.frames.flags[cached] & PG_UPTODATE)) {
    m.frames.zero(cached);
    m.frames.flags[cached] |= PG_UPTODATE;
  }
  return cached;
}

/**
 * mm/filemap.c: do_async_mmap_readahead(): a fault found the page cached;
 * fewer misses to count, and a page carrying the readahead marker starts
 * the next window, with the mmap lock dropped (maybe_unlock_mmap_for_io):
 * returns true then, and the fault is retried.
 */
function doAsyncMmapReadahead(m: Machine, vma: Vma, index: number, pfn: number): boolean {
  const file = vma.file!;
  const ra = file.ra;
  if ((vma.flags & VM_RAND_READ) || !ra.raPages) return false;
  if (ra.mmapMiss > 0) ra.mmapMiss--;
  if (!(m.frames.flags[pfn] & PG_READAHEAD)) return false;
  pageCacheAsyncRa(m, file, file.inode, index, pfn, ra.raPages);
  return true;
}

/**
 * mm/filemap.c: filemap_fault() for a regular file: the page for `index`
 * of `vma`'s file. A cached page is returned (after async readahead, on
 * the first try); a miss counts as a major fault: do_sync_mmap_readahead()
 * reads the window around it, the page itself is read if readahead did
 * not. Whenever I/O was started (readahead of either kind, reading a page
 * that is not uptodate) the mmap lock was dropped, and the first try ends
 * in {@link PAGE_RETRY}: the retried fault maps what is now cached by
 * fault-around (seen on 6.18.44: a fault on the marker page maps the
 * pages after it too). Returns a pfn, {@link PAGE_BEYOND_EOF},
 * {@link PAGE_NOMEM} or {@link PAGE_RETRY}.
 */
export function filemapFault(m: Machine, vma: Vma, index: number, tried: boolean): number {
  const inode = vma.file!.inode;
  if (index >= inode.sizePages) return PAGE_BEYOND_EOF;
  const frames = m.frames;
  let pfn = inode.pages.get(index);
  if (pfn !== undefined) {
    const unlocked = !tried && doAsyncMmapReadahead(m, vma, index, pfn);
    if (frames.flags[pfn] & PG_UPTODATE) return unlocked ? PAGE_RETRY : pfn;
    // page_not_uptodate: filemap_read_folio(), with the lock dropped.
    frames.flags[pfn] |= PG_UPTODATE;
    return tried ? pfn : PAGE_RETRY;
  }
  doSyncMmapReadahead(m, vma, index);
  pfn = inode.pages.get(index);
  if (pfn === undefined) {
    // __filemap_get_folio(FGP_CREAT|FGP_FOR_MMAP), then filemap_read_folio().
    pfn = addCachePage(m, inode, index);
    if (pfn < 0) return PAGE_NOMEM;
  }
  return tried ? pfn : PAGE_RETRY;
}

/**
 * mm/filemap.c: filemap_get_read_batch(): the cached pages from `index`
 * on, up to `max` (inclusive) and at most a folio batch, stopping at the
 * first gap and after a page that is not uptodate or carries the
 * readahead marker.
 */
function getReadBatch(m: Machine, inode: Inode, index: number, max: number): number[] {
  const flags = m.frames.flags;
  const out: number[] = [];
  for (let i = index; i <= max && out.length < FOLIO_BATCH_SIZE; i++) {
    const pfn = inode.pages.get(i);
    if (pfn === undefined) break;
    out.push(pfn);
    if (!(flags[pfn] & PG_UPTODATE) || (flags[pfn] & PG_READAHEAD)) break;
  }
  return out;
}

/**
 * mm/filemap.c: filemap_get_pages() for read(2) of a regular file at
 * byte `pos` with `count` bytes left: the batch of cached pages from
 * pos's page on, after a synchronous readahead on a miss
 * (page_cache_sync_ra), an asynchronous one when the batch ends on the
 * marker (filemap_readahead), and reading a page that is not uptodate.
 * Returns pfns (the first is pos's page) or {@link PAGE_NOMEM}.
 */
export function filemapGetPages(
  m: Machine,
  file: OpenFile,
  pos: number,
  count: number,
): number[] | number {
  const inode = file.inode;
  const frames = m.frames;
  const index = Math.floor(pos / 4096);
  const lastIndex = Math.ceil((pos + count) / 4096);
  let batch = getReadBatch(m, inode, index, lastIndex - 1);
  if (batch.length === 0) {
    pageCacheSyncRa(m, file, inode, index, lastIndex - index);
    batch = getReadBatch(m, inode, index, lastIndex - 1);
  }
  if (batch.length === 0) {
    // filemap_create_folio(): read just this page.
    const pfn = addCachePage(m, inode, index);
    if (pfn < 0) return PAGE_NOMEM;
    batch = [pfn];
  }
  const last = batch[batch.length - 1];
  if (frames.flags[last] & PG_READAHEAD) {
    // filemap_readahead(), from the folio's first page.
    const head = frames.index[last] - (frames.index[last] % 2 ** frames.order[last]);
    pageCacheAsyncRa(m, file, inode, head, last, lastIndex - head);
  }
  // filemap_update_page(): read a page that is cached but not uptodate.
  if (!(frames.flags[last] & PG_UPTODATE)) frames.flags[last] |= PG_UPTODATE;
  return batch;
}

/**
 * The page a read(2) of a shmem file copies from (mm/shmem.c
 * shmem_file_read_iter(), SGP_READ): the cached page, or
 * {@link PAGE_HOLE} (copied from the zero page, nothing allocated).
 * Reading from the start of a page marks it accessed. The caller checks
 * i_size.
 */
export function shmemReadPage(m: Machine, inode: Inode, index: number, offset: number): number {
  const cached = inode.pages.get(index);
  // SGP_READ reports a page fallocate added (not uptodate) as a hole.
  if (cached === undefined || !(m.frames.flags[cached] & PG_UPTODATE)) return PAGE_HOLE;
  if (offset === 0) markAccessed(m, cached, cachePageUnevictable(inode, index));
  return cached;
}

/**
 * The page write(2) copies into: ->write_begin grabs the folio, creating
 * it even beyond EOF (a regular file's page is read from disk so that a
 * partial write keeps the rest: ext4_block_write_begin), ->write_end
 * marks it uptodate and dirty. shmem_write_begin (SGP_WRITE) marks an
 * existing page accessed and a new one referenced; ext4's does neither
 * (FGP_WRITEBEGIN has no FGP_ACCESSED: seen on 6.18.44).
 */
export function filemapWritePage(m: Machine, inode: Inode, index: number): number {
  const frames = m.frames;
  let pfn = inode.pages.get(index);
  if (pfn === undefined) {
    pfn = addCachePage(m, inode, index);
    if (pfn < 0) return pfn;
    if (inode.kind === "shmem") frames.flags[pfn] |= PG_REFERENCED;
  } else if (inode.kind === "shmem") {
    markAccessed(m, pfn, cachePageUnevictable(inode, index));
  }
  frames.flags[pfn] |= PG_DIRTY | PG_UPTODATE;
  return pfn;
}

/**
 * Writeback of one dirty page of a regular file (ext4_writepages ->
 * ext4_bio_write_folio, then folio_end_writeback): a page straddling EOF
 * has its tail past i_size zeroed first ("writes to that region are not
 * written out to the file"), the page goes to disk, PG_dirty is cleared,
 * and so is PG_reclaim (the PG_readahead bit) when the I/O ends. The
 * caller has made the PTEs clean (page_mkclean).
 */
export function writebackPage(m: Machine, inode: Inode, index: number, pfn: number): void {
  const frames = m.frames;
  const tail = inode.size - index * 4096;
  if (tail > 0 && tail < 4096) frames.zero(pfn, tail, 4096);
  inode.blocks?.write(index, frames.peekBytes(pfn));
  frames.flags[pfn] &= ~(PG_DIRTY | PG_READAHEAD);
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
    m.frames.flags[pfn] &= ~(PG_DIRTY | PG_READAHEAD);
    m.frames.put(pfn);
  }
}

/**
 * mm/filemap.c filemap_fault(): the page-cache page at vmf->pgoff, read
 * from disk on a miss (which ends in VM_FAULT_RETRY, FAULT_FLAG_TRIED on
 * the second pass); past EOF is SIGBUS.
 */
export function filemapFaultOp(vmf: VmFault): number {
  const page = filemapFault(vmf.vma.mm.machine, vmf.vma, vmf.pgoff, vmf.tried);
  if (page === PAGE_RETRY) return VM_FAULT_RETRY;
  if (page === PAGE_BEYOND_EOF) return VM_FAULT_SIGBUS;
  if (page < 0) return VM_FAULT_OOM;
  vmf.page = page;
  return 0;
}

/** ->page_mkwrite: the page is dirtied by the core (wp_page_shared / finish_fault). */
function filemapPageMkwrite(_vmf: VmFault): number {
  return 0;
}

/** mm/filemap.c: generic_file_vm_ops (ext4_file_vm_ops has the same hooks). */
export const GENERIC_FILE_VM_OPS: VmOperations = {
  fault: filemapFaultOp,
  mapPages: filemapMapPages,
  pageMkwrite: filemapPageMkwrite,
};

/** mm/filemap.c generic_file_mmap_prepare(): file_accessed(), vm_ops. */
export function genericFileMmapPrepare(desc: VmAreaDesc): number {
  desc.vmOps = GENERIC_FILE_VM_OPS;
  return 0;
}
