/**
 * Reclaim of the pages MADV_PAGEOUT hands over: mm/vmscan.c reclaim_pages()
 * -> shrink_folio_list() with ignore_references, and mm/rmap.c
 * try_to_unmap(). This machine has no swap device, so:
 * - an anonymous page cannot be written out: it stays mapped and is
 *   activated (folio_alloc_swap fails: activate_locked_split); a pinned one is kept
 *   as it is;
 * - a lazyfree anonymous page (MADV_FREE, then the drain cleared
 *   PG_swapbacked) needs no swap: try_to_unmap_one() discards it when
 *   neither its PTE nor the page is dirty and only its mapping holds it
 *   (the PTE goes, Rss drops, the next read sees zeros); a page written
 *   after MADV_FREE gets PG_swapbacked back and stays, activated;
 * - a page-cache page is unmapped from every mapping; a dirty one stays
 *   cached (madvise-triggered reclaim does not write file pages back: it
 *   is marked PG_reclaim and activated; a shmem page cannot be written
 *   out either); a clean one leaves the page cache and is freed, unless
 *   something else holds a reference (a pin, a GUP reference).
 * Checked on 6.18.44: a clean page mapped once leaves the cache (mincore
 * 0, Rss drops) and the next access reads it back from disk; a dirty one
 * is unmapped but cached, and fault-around then skips it (PG_reclaim is
 * PG_readahead); a page mapped by two processes is not touched. A clean
 * MADV_FREE page is discarded, one written again after MADV_FREE is kept,
 * and one shared with a child (fork after MADV_FREE) is not touched.
 * @module
 */

import type { Machine } from "../machine.ts";
import {
  PG_ACTIVE,
  PG_ANON,
  PG_DIRTY,
  PG_FILE,
  PG_LAZYFREE,
  PG_READAHEAD,
  PG_SHMEM,
} from "../phys/frames.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_SPECIAL } from "./pagetable.ts";
import type { Vma } from "./vma.ts";
import { zapRange } from "./zap.ts";
import type { Inode } from "../fs/inode.ts";
import { hexAddr } from "./trace_text.ts";

/**
 * mm/rmap.c: try_to_unmap() for a page-cache page: every VMA mapping the
 * file at the page's index (i_mmap) loses its PTE onto the page, the
 * dirty bit passing to the page.
 */
export function tryToUnmap(m: Machine, inode: Inode, pfn: number): void {
  const index = m.frames.index[pfn];
  for (const v of [...inode.mappings]) {
    if (index < v.pgoff || index >= v.pgoff + v.pages) continue;
    const addr = v.start + (index - v.pgoff) * 4096;
    const vpn = addr / 4096;
    const b = v.mm.pt.bitsAt(vpn);
    if (!(b & PTE_PRESENT) || (b & PTE_SPECIAL) || v.mm.pt.pfnAt(vpn) !== pfn) continue;
    zapRange(v.mm, v, addr, addr + 4096, { dropMarkers: false, event: "CLEAR", unmapOnly: true });
  }
}

/**
 * A page isolated for reclaim, with the file it caches (null for anonymous
 * memory); an anonymous page is mapped once, by `vma` at `addr`.
 */
export interface ReclaimCandidate {
  pfn: number;
  inode: Inode | null;
  vma?: Vma;
  addr?: number;
}

/**
 * mm/rmap.c: try_to_unmap_one() for a lazyfree anonymous page mapped once:
 * discarded (the PTE cleared, the page freed) when neither the PTE nor the
 * page is dirty and no one else holds a reference; otherwise it gets
 * PG_swapbacked back (a write after MADV_FREE cancels the free). Returns
 * whether the page was freed.
 */
function discardLazyfree(m: Machine, pfn: number, vma: Vma, addr: number): boolean {
  const frames = m.frames;
  const tr = m.trace;
  const vpn = addr / 4096;
  const b = vma.mm.pt.bitsAt(vpn);
  if (!(b & PTE_PRESENT) || vma.mm.pt.pfnAt(vpn) !== pfn) return false;
  const dirty = (b & PTE_DIRTY) !== 0 || (frames.flags[pfn] & PG_DIRTY) !== 0;
  // ref_count == 1 + map_count, the one being the isolation reference.
  if (dirty || frames.mapcount[pfn] !== 1 || frames.refcount[pfn] !== 1) {
    tr?.step(
      `${SHRINK} → try_to_unmap_one`,
      `lazyfree pfn ${hexAddr(pfn)} ${
        dirty ? "dirtied again" : "has other references"
      }: folio_set_swapbacked, kept`,
      { pfn },
    );
    frames.flags[pfn] &= ~PG_LAZYFREE;
    return false;
  }
  tr?.step(
    `${SHRINK} → try_to_unmap_one`,
    `clean lazyfree pfn ${hexAddr(pfn)} at ${hexAddr(addr)}: discarded`,
    { pfn },
  );
  zapRange(vma.mm, vma, addr, addr + 4096, { dropMarkers: false, event: "CLEAR", unmapOnly: true });
  return true;
}

/**
 * mm/vmscan.c: reclaim_pages() -> shrink_folio_list() on pages isolated
 * by MADV_PAGEOUT. Returns the number of pages freed.
 */
export function reclaimPages(m: Machine, pages: ReclaimCandidate[]): number {
  const frames = m.frames;
  const tr = m.trace;
  let freed = 0;
  for (const { pfn, inode, vma, addr } of pages) {
    const f = frames.flags[pfn];
    if ((f & PG_ANON) && (f & PG_LAZYFREE) && vma !== undefined && addr !== undefined) {
      // !folio_test_swapbacked(): no swap needed; a pinned page is kept first.
      const pinned = frames.maybeDmaPinned(pfn);
      if (!pinned && discardLazyfree(m, pfn, vma, addr)) {
        freed++;
        continue;
      }
      // A page still mapped: activate_locked.
      if (!pinned) frames.flags[pfn] |= PG_ACTIVE;
      continue;
    }
    if (f & PG_ANON) {
      // No swap: folio_alloc_swap() fails (add_to_swap is gone since 6.16); a maybe-pinned page is kept first (keep_locked).
      const pinned = frames.maybeDmaPinned(pfn);
      tr?.step(
        SHRINK,
        pinned
          ? `anonymous pfn ${hexAddr(pfn)} maybe DMA-pinned: kept`
          : `anonymous pfn ${
            hexAddr(pfn)
          }: no swap device, folio_alloc_swap fails: activate_locked_split`,
        { pfn },
      );
      if (!pinned) frames.flags[pfn] |= PG_ACTIVE;
      continue;
    }
    if (!(f & PG_FILE) || inode === null) continue;
    tr?.step(`${SHRINK} → try_to_unmap`, `page-cache pfn ${hexAddr(pfn)} unmapped from every VMA`, {
      pfn,
    });
    tryToUnmap(m, inode, pfn);
    if (frames.mapcount[pfn] > 0) {
      tr?.step(SHRINK, `pfn ${hexAddr(pfn)} still mapped: activate_locked`, { pfn });
      frames.flags[pfn] |= PG_ACTIVE;
      continue;
    }
    if (frames.flags[pfn] & PG_DIRTY) {
      tr?.step(
        SHRINK,
        `pfn ${hexAddr(pfn)} dirty: not written back from madvise reclaim${
          f & PG_SHMEM ? "" : ", PG_reclaim set"
        }: activate_locked`,
        { pfn },
      );
      // A dirty file page: "Immediately reclaim when written back" (PG_reclaim).
      if (!(f & PG_SHMEM)) frames.flags[pfn] |= PG_READAHEAD;
      frames.flags[pfn] |= PG_ACTIVE;
      continue;
    }
    // __remove_mapping(): only the page cache may hold it (refcount 1).
    const index = frames.index[pfn];
    if (frames.refcount[pfn] !== 1 || inode.pages.get(index) !== pfn) {
      tr?.step(
        `${SHRINK} → __remove_mapping`,
        `pfn ${hexAddr(pfn)} has refcount ${frames.refcount[pfn]}: someone else holds it, kept`,
        { pfn },
      );
      continue;
    }
    tr?.step(
      `${SHRINK} → __remove_mapping`,
      `clean pfn ${hexAddr(pfn)} leaves the page cache (pgoff ${index}): freed`,
      { pfn },
    );
    inode.pages.delete(index);
    frames.put(pfn);
    freed++;
  }
  return freed;
}

/** reclaim_pages() -> shrink_folio_list(): the chain of the per-page steps. */
const SHRINK = "reclaim_pages → shrink_folio_list";
