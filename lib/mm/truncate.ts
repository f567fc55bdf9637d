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
 * Regular files follow ext4 (4 KiB blocks) as checked on Linux 6.18.44:
 * their blocks on disk go with the page cache, and ext4 zeroes the partial
 * block at an edge through the page cache ({@link ext4ZeroPartialBlock}).
 * shmem files (memfd, shared anonymous memory) follow mm/shmem.c.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "../fs/inode.ts";
import { addCachePage, dropCachePages } from "./filemap.ts";
import { zapRange } from "./zap.ts";
import { PTE_PRESENT, PTE_SPECIAL } from "./pagetable.ts";
import { PG_ANON, PG_DIRTY, PG_UPTODATE } from "../phys/frames.ts";
import { cachePageUnevictable, markAccessed } from "./swap.ts";
import { fsyncRange } from "./msync.ts";

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
 * fs/ext4/inode.c: __ext4_block_zero_page_range(): zeroes bytes [from, to)
 * of the block (page) `index` through the page cache. The page is grabbed
 * with FGP_CREAT|FGP_ACCESSED (created, not uptodate, if missing: mincore
 * does not count it). A hole (a block never written, and no delayed
 * allocation from a dirty page) needs nothing more; a mapped block is read
 * into the page if need be, zeroed and dirtied (mark_buffer_dirty). Seen
 * on 6.18.44: after ftruncate to mid-page of an evicted written page,
 * mincore says 0 and the next fault maps a dirty page with the tail zeroed.
 * `allocated` treats a hole as allocated (ZERO_RANGE preallocates its edges).
 */
export function ext4ZeroPartialBlock(
  m: Machine,
  inode: Inode,
  index: number,
  from: number,
  to: number,
  allocated = false,
): void {
  if (to <= from) return;
  const frames = m.frames;
  let pfn = inode.pages.get(index);
  const mapped = allocated || inode.blocks!.mapped(index) ||
    (pfn !== undefined && (frames.flags[pfn] & PG_DIRTY) !== 0);
  if (pfn === undefined) {
    pfn = addCachePage(m, inode, index, 0, false);
    if (pfn < 0) return;
  }
  markAccessed(m, pfn, cachePageUnevictable(inode, index));
  if (!mapped) {
    // A hole: nothing to write; a cached page of it holds zeros anyway.
    if (frames.flags[pfn] & PG_UPTODATE) frames.zero(pfn, from, to);
    return;
  }
  frames.zero(pfn, from, to);
  frames.flags[pfn] |= PG_DIRTY;
}

/**
 * fs/ext4/inode.c: ext4_zero_partial_blocks(inode, offset, len): the
 * partial blocks at the two edges of [offset, offset+len) go through
 * {@link ext4ZeroPartialBlock}; whole blocks are left to the caller.
 */
function ext4ZeroPartialBlocks(
  m: Machine,
  inode: Inode,
  offset: number,
  len: number,
  allocated = false,
): void {
  if (len <= 0) return;
  const end = offset + len; // exclusive
  const first = Math.floor(offset / PAGE), last = Math.floor((end - 1) / PAGE);
  if (first === last) {
    if (offset % PAGE || end % PAGE) {
      ext4ZeroPartialBlock(m, inode, first, offset % PAGE, end - first * PAGE, allocated);
    }
    return;
  }
  if (offset % PAGE) ext4ZeroPartialBlock(m, inode, first, offset % PAGE, PAGE, allocated);
  if (end % PAGE) ext4ZeroPartialBlock(m, inode, last, 0, end % PAGE, allocated);
}

/**
 * mm/truncate.c: truncate_inode_pages_range() (and mm/shmem.c
 * shmem_undo_range()) for bytes [start, end): partial pages at the edges
 * are zeroed in place (truncate_inode_partial_folio, so shared mappings see
 * the zeros), whole pages leave the cache. shmem_undo_range() first marks
 * a cached partial page dirty (folio_mark_dirty: seen on 6.18.44 as
 * Private_Dirty after ftruncate of a memfd to mid-page). `end` may be
 * Infinity.
 */
export function truncateInodePagesRange(
  m: Machine,
  inode: Inode,
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const partial = (idx: number, from: number, to: number) => {
    const pfn = inode.pages.get(idx);
    if (pfn !== undefined && inode.kind === "shmem") m.frames.flags[pfn] |= PG_DIRTY;
    zeroCached(m, inode, idx, from, to);
  };
  const kept = partialLargeFolios(m, inode, start, end);
  const first = Math.ceil(start / PAGE);
  const last = end === Infinity ? Infinity : Math.floor(end / PAGE);
  if (first > last) {
    // Both edges inside one page.
    const idx = Math.floor(start / PAGE);
    partial(idx, start - idx * PAGE, end - idx * PAGE);
    return;
  }
  if (start % PAGE) partial(first - 1, start % PAGE, PAGE);
  if (end !== Infinity && end % PAGE) partial(last, 0, end % PAGE);
  let from = first;
  for (const [lo, hi] of kept) {
    for (let i = Math.max(lo, first); i < Math.min(hi, last); i++) zeroCached(m, inode, i, 0, PAGE);
    if (lo > from) dropCachePages(m, inode, from, Math.min(lo, last));
    from = Math.max(from, hi);
  }
  if (from < last) dropCachePages(m, inode, from, last);
}

/**
 * mm/truncate.c truncate_inode_partial_folio() for the large folios of a
 * regular file that the byte range [start, end) covers only in part (the
 * folios holding its first and last byte): split_folio() unmaps the whole
 * folio from every mapping (unmap_folio; a file folio is not mapped
 * again); a clean folio is split into single pages, which the caller then
 * treats page by page; a dirty one keeps its buffers
 * (filemap_release_folio() fails), the split fails, and the folio stays
 * cached whole, the range inside it zeroed (folio_zero_range), even pages
 * in the hole or past the new EOF. Returns the page ranges [first, last)
 * of the folios kept whole. Seen on 6.18.44 (ext4): punching page 5 of
 * the dirty 16K folio a 16K pwrite at 16K made unmaps pages 4-7 and
 * mincore still shows all four; after msync(MS_SYNC) page 5 leaves the
 * cache and a write fault on page 6 maps page 6 alone.
 */
function partialLargeFolios(
  m: Machine,
  inode: Inode,
  start: number,
  end: number,
): [number, number][] {
  const frames = m.frames;
  const kept: [number, number][] = [];
  if (inode.kind === "shmem") return kept;
  const edges = [Math.floor(start / PAGE)];
  if (end !== Infinity) edges.push(Math.floor((end - 1) / PAGE));
  for (const idx of edges) {
    const pfn = inode.pages.get(idx);
    if (pfn === undefined || frames.order[pfn] === 0) continue;
    const nr = 2 ** frames.order[pfn];
    const head = idx - (idx % nr);
    if (kept.length > 0 && kept[kept.length - 1][0] === head) continue;
    if (start <= head * PAGE && end >= (head + nr) * PAGE) continue; // removed whole
    const pages: number[] = [];
    for (let i = head; i < head + nr; i++) {
      const p = inode.pages.get(i);
      if (p !== undefined && frames.order[p] === frames.order[pfn]) pages.push(p);
    }
    if (pages.length !== nr) continue;
    unmapMappingPages(m, inode, head, head + nr, false);
    if (pages.some((p) => frames.flags[p] & PG_DIRTY)) kept.push([head, head + nr]);
    else for (const p of pages) frames.order[p] = 0;
  }
  return kept;
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
 * The unmap range is [round_up(start), round_down(end) - 1], compared as
 * u64: a range ending inside page 0 gives an end of -1, which passes the
 * check, and unmap_mapping_range() then gets a negative length and unmaps
 * every page from round_up(start) to the end of the file (shmem_fallocate
 * computes the same). Seen on 6.18.44: punching [100, 300) of an 8-page
 * file (ext4 or memfd) leaves only page 0 mapped; [5000, 5200) unmaps
 * nothing.
 */
export function truncatePagecacheRange(m: Machine, inode: Inode, start: number, end: number): void {
  const unmapStart = roundUp(start);
  const unmapEnd = end === Infinity ? Infinity : Math.floor(end / PAGE) * PAGE - 1;
  if (unmapEnd < 0) unmapMappingPages(m, inode, unmapStart / PAGE, Infinity, false);
  else if (unmapEnd > unmapStart) {
    unmapMappingPages(m, inode, unmapStart / PAGE, (unmapEnd + 1) / PAGE, false);
  }
  truncateInodePagesRange(m, inode, start, end);
}

/**
 * fs/ext4/inode.c: zeroing the end of EOF's block before i_size grows past
 * `from` (truncate up, a write or fallocate starting beyond EOF): the
 * bytes of EOF's block from `from` up to `end` are zeroed
 * ({@link ext4ZeroPartialBlock}), so that what a shared mapping wrote past
 * the old EOF does not show up as file data. tmpfs does not do this
 * (garbage written past EOF reappears on growth).
 */
export function zeroEof(m: Machine, inode: Inode, from: number, end: number): void {
  if (from % PAGE === 0) return;
  const idx = Math.floor(from / PAGE);
  ext4ZeroPartialBlock(m, inode, idx, from % PAGE, Math.min(PAGE, end - idx * PAGE));
}

/**
 * fs/ext4/extents.c: ext4_alloc_file_blocks() after a fallocate without
 * KEEP_SIZE moved i_size from `from` up to `to`: pagecache_isize_extended()
 * (nothing to do with 4K blocks), then ext4_zero_partial_blocks(from,
 * to - from). Its first edge is {@link zeroEof}'s; its second grabs the
 * page holding the new EOF when `to` is not page-aligned
 * (__ext4_block_zero_page_range: FGP_CREAT), finds the block just
 * allocated unwritten, zeroes nothing, and leaves the page cached but not
 * uptodate. mincore() reports it absent; readahead stops at it
 * (filemap_add_folio() is -EEXIST) and a fault or read fills it alone
 * (filemap_read_folio). Seen on 6.18.44: fallocate(fd, 0, 0, 18298) and a
 * read fault on page 0 leave pages 0-3 uptodate, page 4 not; a fault on
 * page 4 reads only page 4.
 */
export function ext4FallocateExtend(m: Machine, inode: Inode, from: number, to: number): void {
  ext4ZeroPartialBlocks(m, inode, from, to - from);
}

/**
 * Sets i_size as ftruncate()/open(O_TRUNC) do (notify_change -> ->setattr).
 *
 * - ext4 (ext4_setattr): growing zeroes the old EOF block's tail
 *   ({@link zeroEof}); shrinking *or keeping the size* runs
 *   truncate_pagecache(): zap every mapping's PTEs from round_up(newSize)
 *   on, private COW copies included, drop those pages, zero the tail of the
 *   new last page; then ext4_truncate(): the new EOF block's tail is zeroed
 *   on disk's behalf (ext4_block_truncate_page) and the blocks past it are
 *   freed.
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
  // ext4_truncate() (called even when i_size does not change): a file
  // truncated to 0 gets EXT4_STATE_DA_ALLOC_CLOSE (auto_da_alloc).
  if (newSize === 0) inode.daAllocClose = true;
  if (newSize % PAGE) {
    ext4ZeroPartialBlock(m, inode, Math.floor(newSize / PAGE), newSize % PAGE, PAGE);
  }
  inode.blocks?.punch(roundUp(newSize) / PAGE);
}

/**
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len) on the
 * inode, argument checks done (MADV_REMOVE comes here too):
 * - shmem (shmem_fallocate): exactly [offset, offset+len): unmap the whole
 *   pages inside (even_cows 0), drop them, zero the partial edges.
 * - ext4 (ext4_punch_hole): nothing at or past EOF; a hole running past
 *   EOF ends at the page boundary after EOF (so the EOF page's tail is
 *   zeroed too); then truncate_pagecache_range(), the partial blocks at
 *   the edges zeroed through the cache (ext4_zero_partial_blocks), the
 *   whole blocks inside freed.
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
  if (inode.blocks === null) return;
  ext4ZeroPartialBlocks(m, inode, offset, end - offset);
  inode.blocks.punch(roundUp(offset) / PAGE, Math.floor(end / PAGE));
}

/**
 * ext4 fallocate(FALLOC_FL_ZERO_RANGE) (ext4_zero_range): the whole blocks
 * of [offset, offset+len) leave the page cache (private COW copies kept)
 * and become unwritten (read as zeros); the partial blocks at the edges,
 * preallocated, are zeroed through the cache (ext4_zero_partial_blocks);
 * without KEEP_SIZE the file grows to offset+len.
 */
export function zeroRange(
  m: Machine,
  inode: Inode,
  offset: number,
  len: number,
  keepSize: boolean,
): void {
  const end = offset + len;
  const first = roundUp(offset), last = Math.floor(end / PAGE) * PAGE;
  if (last > first) {
    truncatePagecacheRange(m, inode, first, last);
    inode.blocks?.punch(first / PAGE, last / PAGE);
  }
  if (offset % PAGE || end % PAGE) ext4ZeroPartialBlocks(m, inode, offset, len, true);
  if (!keepSize && end > inode.size) {
    zeroEof(m, inode, inode.size, end);
    inode.size = end;
  }
}

/**
 * ext4 fallocate(FALLOC_FL_COLLAPSE_RANGE) (ext4_collapse_range), checks
 * done (page-aligned, offset+len < i_size): the dirty pages from
 * offset+len on are written back, truncate_pagecache(offset) zaps every
 * mapping from `offset` on (COW copies included) and drops those pages;
 * the range's blocks are freed and the ones after it move down; i_size
 * shrinks by `len`. The data is read again from disk when next used.
 */
export function collapseRange(m: Machine, inode: Inode, offset: number, len: number): void {
  fsyncRange(m, inode, offset + len, Infinity);
  truncatePagecache(m, inode, offset);
  const blocks = inode.blocks!;
  blocks.punch(offset / PAGE, (offset + len) / PAGE);
  blocks.shift((offset + len) / PAGE, -len / PAGE);
  inode.size -= len;
}

/**
 * ext4 fallocate(FALLOC_FL_INSERT_RANGE) (ext4_insert_range), checks done
 * (page-aligned, offset < i_size, fits s_maxbytes): the dirty pages from
 * `offset` on are written back, every mapping is zapped from there (COW
 * copies included) and those pages leave the cache; the blocks from
 * `offset` move up by `len`, leaving a hole; i_size grows by `len`.
 */
export function insertRange(m: Machine, inode: Inode, offset: number, len: number): void {
  fsyncRange(m, inode, offset, Infinity);
  truncatePagecache(m, inode, offset);
  inode.blocks!.shift(offset / PAGE, len / PAGE);
  inode.size += len;
}
