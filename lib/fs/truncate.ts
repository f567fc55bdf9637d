/**
 * Shrinking and growing files, punching holes: what changes in the page
 * cache and in every mapping of the file.
 *
 * - {@link unmapMappingPages}: mm/memory.c unmap_mapping_pages() — zap the
 *   PTEs of every VMA (in every mm: i_mmap) that maps a range of file pages;
 *   `evenCows` also zaps private COW copies (anonymous pages) there.
 * - {@link truncateInode}: the size change of ftruncate/O_TRUNC
 *   (ext4_setattr, shmem_setattr): a shrink zaps the pages past the new EOF
 *   even in private mappings (then SIGBUS), drops them from the cache and
 *   zeroes the tail of the last partial page.
 * - {@link punchHole}: fallocate(PUNCH_HOLE|KEEP_SIZE) (ext4_punch_hole,
 *   shmem_fallocate): like truncate_pagecache_range(), private COW copies in
 *   the hole survive.
 *
 * Regular files follow ext4 (4 KiB blocks) as checked on Linux 6.18.44;
 * shmem files (memfd, shared anonymous memory) follow mm/shmem.c.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "./inode.ts";
import { dropCachePages } from "./pagecache.ts";
import { zapRange } from "../mm/zap.ts";
import { PTE_PRESENT, PTE_SPECIAL } from "../mm/pagetable.ts";
import { PG_ANON } from "../phys/frames.ts";

const PAGE = 4096;

function roundUp(x: number): number {
  return Math.ceil(x / PAGE) * PAGE;
}

/**
 * mm/memory.c: unmap_mapping_pages(mapping, first, last - first, evenCows):
 * zaps file pages [first, last) (`last` may be Infinity) in every VMA that
 * maps them. Without `evenCows`, anonymous pages (private COW copies) are
 * kept (zap_present_ptes -> should_zap_folio). PTE markers (guard regions)
 * stay: the zap has no ZAP_FLAG_DROP_MARKER. Page tables are not freed.
 */
export function unmapMappingPages(
  m: Machine,
  inode: Inode,
  first: number,
  last: number,
  evenCows: boolean,
): void {
  const frames = m.frames;
  for (const vma of [...inode.mappings]) {
    const lo = Math.max(first, vma.pgoff);
    const hi = Math.min(last, vma.pgoff + vma.pages);
    if (lo >= hi) continue;
    const mm = vma.mm;
    const start = vma.start + (lo - vma.pgoff) * PAGE;
    const end = vma.start + (hi - vma.pgoff) * PAGE;
    // zap_page_range_single(): MMU_NOTIFY_CLEAR around the zap.
    if (evenCows) {
      zapRange(mm, vma, start, end, { dropMarkers: false, event: "CLEAR" });
      continue;
    }
    const victims: number[] = [];
    mm.pt.forEachTable(start / PAGE, end / PAGE, (t, base, a, b) => {
      for (let i = a; i < b; i++) {
        const bits = t.bits[i];
        if (!(bits & PTE_PRESENT)) continue;
        if (!(bits & PTE_SPECIAL) && (frames.flags[t.pfn[i]] & PG_ANON)) continue;
        victims.push(base + i);
      }
    });
    if (victims.length === 0) continue;
    const range = mm.invalidateStart(start, end, "CLEAR");
    for (const vpn of victims) {
      zapRange(mm, vma, vpn * PAGE, vpn * PAGE + PAGE, { dropMarkers: false, quiet: true });
    }
    mm.invalidateEnd(range);
  }
}

/** Zeroes bytes [from, to) of the cached page `index`, if it is cached. */
function zeroCached(m: Machine, inode: Inode, index: number, from: number, to: number): void {
  if (to <= from) return;
  const pfn = inode.pages.get(index);
  if (pfn !== undefined) m.frames.zero(pfn, from, to);
}

/**
 * mm/truncate.c: truncate_inode_pages_range() (and shmem_undo_range()) for
 * bytes [start, end): partial pages at the edges are zeroed in place
 * (truncate_inode_partial_folio, so shared mappings see the zeros), whole
 * pages leave the cache. `end` may be Infinity.
 */
export function truncateInodePagesRange(
  m: Machine,
  inode: Inode,
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const first = Math.ceil(start / PAGE);
  const last = end === Infinity ? Infinity : Math.floor(end / PAGE);
  if (first > last) {
    // Both edges inside one page.
    const idx = Math.floor(start / PAGE);
    zeroCached(m, inode, idx, start - idx * PAGE, end - idx * PAGE);
    return;
  }
  if (start % PAGE) zeroCached(m, inode, first - 1, start % PAGE, PAGE);
  if (end !== Infinity && end % PAGE) zeroCached(m, inode, last, 0, end % PAGE);
  dropCachePages(m, inode, first, last);
}

/**
 * mm/truncate.c: truncate_pagecache(): unmap_mapping_range(holebegin =
 * round_up(newsize), 0, even_cows = 1), then truncate_inode_pages(newsize).
 * (The second unmap the kernel does, for racing COWs, has nothing to do here.)
 */
export function truncatePagecache(m: Machine, inode: Inode, newSize: number): void {
  unmapMappingPages(m, inode, roundUp(newSize) / PAGE, Infinity, true);
  truncateInodePagesRange(m, inode, newSize, Infinity);
}

/**
 * mm/truncate.c: truncate_pagecache_range() for bytes [start, end):
 * unmap the whole pages inside without even_cows ("hole-punching should not
 * remove private COWed pages from the hole"), then truncate the range.
 */
export function truncatePagecacheRange(m: Machine, inode: Inode, start: number, end: number): void {
  const first = roundUp(start) / PAGE;
  const last = end === Infinity ? Infinity : Math.floor(end / PAGE);
  if (last > first) unmapMappingPages(m, inode, first, last, false);
  truncateInodePagesRange(m, inode, start, end);
}

/**
 * fs/ext4/inode.c: ext4_block_zero_eof(inode, from, end): before i_size
 * grows past `from` (truncate up, a write or fallocate starting beyond EOF),
 * the bytes of EOF's block from `from` up to `end` are zeroed, so that what
 * a shared mapping wrote past the old EOF does not show up as file data.
 * tmpfs does not do this (garbage written past EOF reappears on growth).
 */
export function zeroEof(m: Machine, inode: Inode, from: number, end: number): void {
  if (from % PAGE === 0) return;
  const idx = Math.floor(from / PAGE);
  zeroCached(m, inode, idx, from % PAGE, Math.min(PAGE, end - idx * PAGE));
}

/**
 * Sets i_size as ftruncate()/open(O_TRUNC) do (notify_change -> ->setattr).
 *
 * - ext4 (ext4_setattr): growing zeroes the old EOF block's tail
 *   ({@link zeroEof}); shrinking *or keeping the size* runs
 *   truncate_pagecache(): zap every mapping's PTEs from round_up(newSize)
 *   on, private COW copies included, drop those pages, zero the tail of the
 *   new last page.
 * - shmem (shmem_setattr): growing does nothing else; when newSize <= old,
 *   the same unmap (only if old > round_up(newSize)) and
 *   shmem_truncate_range(newSize, -1).
 */
export function truncateInode(m: Machine, inode: Inode, newSize: number): void {
  const old = inode.size;
  if (inode.kind === "shmem") {
    inode.size = newSize;
    if (newSize > old) return;
    const holeBegin = roundUp(newSize);
    if (old > holeBegin) unmapMappingPages(m, inode, holeBegin / PAGE, Infinity, true);
    truncateInodePagesRange(m, inode, newSize, Infinity);
    return;
  }
  if (newSize > old) {
    zeroEof(m, inode, old, Infinity);
    inode.size = newSize;
    return;
  }
  inode.size = newSize;
  truncatePagecache(m, inode, newSize);
}

/**
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len) on the
 * inode, argument checks done (MADV_REMOVE comes here too):
 * - shmem (shmem_fallocate): exactly [offset, offset+len): unmap the whole
 *   pages inside (even_cows 0), drop them, zero the partial edges.
 * - ext4 (ext4_punch_hole): nothing at or past EOF; a hole running past
 *   EOF ends at the page boundary after EOF (so the EOF page's tail is
 *   zeroed too); then truncate_pagecache_range().
 * The size never changes.
 */
export function punchHole(m: Machine, inode: Inode, offset: number, len: number): void {
  if (len <= 0) return;
  let end = offset + len;
  if (inode.kind !== "shmem") {
    if (offset >= inode.size) return;
    if (end > inode.size) end = roundUp(inode.size);
  }
  truncatePagecacheRange(m, inode, offset, end);
}

/**
 * ext4 fallocate(FALLOC_FL_ZERO_RANGE): the page cache of [offset,
 * offset+len) is truncated as for a hole (private COW copies kept, the
 * partial edges zeroed in place even past EOF), and without KEEP_SIZE the
 * file grows to offset+len.
 */
export function zeroRange(
  m: Machine,
  inode: Inode,
  offset: number,
  len: number,
  keepSize: boolean,
): void {
  const end = offset + len;
  truncatePagecacheRange(m, inode, offset, end);
  if (!keepSize && end > inode.size) {
    zeroEof(m, inode, inode.size, end);
    inode.size = end;
  }
}

/**
 * After collapse/insert the kernel re-reads the moved data from disk, where
 * the EOF block's tail is zero (writeback zeroed it): do the same.
 */
function zeroPastEof(m: Machine, inode: Inode): void {
  if (inode.size % PAGE) {
    zeroCached(m, inode, Math.floor(inode.size / PAGE), inode.size % PAGE, PAGE);
  }
}

/**
 * Moves the cached pages at index >= `from` by `delta` pages (the page
 * cache is this filesystem's only storage, so data the kernel would re-read
 * from shifted extents moves with its frames).
 */
function shiftPages(m: Machine, inode: Inode, from: number, delta: number): void {
  const moved: [number, number][] = [];
  for (const [index, pfn] of inode.pages) if (index >= from) moved.push([index, pfn]);
  for (const [index] of moved) inode.pages.delete(index);
  for (const [index, pfn] of moved) {
    inode.pages.set(index + delta, pfn);
    m.frames.index[pfn] = index + delta;
  }
}

/**
 * ext4 fallocate(FALLOC_FL_COLLAPSE_RANGE) (ext4_collapse_range), checks
 * done (page-aligned, offset+len < i_size): truncate_pagecache(offset)
 * zaps every mapping from `offset` on, COW copies included; the range's
 * data goes and what follows moves down; i_size shrinks by `len`.
 */
export function collapseRange(m: Machine, inode: Inode, offset: number, len: number): void {
  unmapMappingPages(m, inode, offset / PAGE, Infinity, true);
  dropCachePages(m, inode, offset / PAGE, (offset + len) / PAGE);
  shiftPages(m, inode, (offset + len) / PAGE, -len / PAGE);
  inode.size -= len;
  zeroPastEof(m, inode);
}

/**
 * ext4 fallocate(FALLOC_FL_INSERT_RANGE) (ext4_insert_range), checks done
 * (page-aligned, offset < i_size, fits s_maxbytes): mappings are zapped
 * from `offset` on (COW copies included), the data from `offset` moves up
 * by `len`, leaving a hole; i_size grows by `len`.
 */
export function insertRange(m: Machine, inode: Inode, offset: number, len: number): void {
  unmapMappingPages(m, inode, offset / PAGE, Infinity, true);
  zeroPastEof(m, inode);
  shiftPages(m, inode, offset / PAGE, len / PAGE);
  inode.size += len;
}
