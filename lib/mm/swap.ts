/**
 * The LRU bits of mm/swap.c that show in /proc: folio_mark_accessed()
 * (PG_referenced, then activation), folio_deactivate() with its per-CPU
 * batch, and lru_add_drain(). smaps counts a page as Referenced when its
 * PTE is young or PG_referenced is set (fs/proc/task_mmu.c smaps_account).
 *
 * Checked on 6.18.44 with fork (the child's PTEs are old, so its smaps
 * Referenced shows PG_referenced alone): a page populated once is
 * Referenced, twice is not (the second call activates and clears the
 * bit), three times is again, and stays so; an mlocked page keeps it.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Inode } from "../fs/inode.ts";
import {
  PG_ACTIVE,
  PG_ANON,
  PG_LAZYFREE,
  PG_LRU_DEACTIVATE,
  PG_REFERENCED,
  PG_RESERVED,
} from "../phys/frames.ts";
import { VM_LOCKED } from "./vm_flags.ts";

/** include/linux/pagevec.h: PAGEVEC_SIZE, the capacity of a per-CPU folio batch. */
export const FOLIO_BATCH_SIZE = 31;

/**
 * mm/swap.c: folio_mark_accessed(): an unreferenced page becomes
 * referenced; a referenced inactive one is activated and loses the bit
 * (__lru_cache_activate_folio sets PG_active at once for a page still in
 * this CPU's lru_add batch, which is where mmlab's pages are); an
 * unevictable (mlocked) or active referenced page stays as it is. A page
 * queued for deactivation is off the LRU: it is not activated, but still
 * loses the bit.
 */
export function markAccessed(m: Machine, pfn: number, unevictable = false): void {
  const flags = m.frames.flags;
  const f = flags[pfn];
  if (f & PG_RESERVED) return;
  if (!(f & PG_REFERENCED)) {
    flags[pfn] = f | PG_REFERENCED;
  } else if (unevictable) {
    // "marking an unevictable page accessed has no effect"
  } else if (!(f & PG_ACTIVE)) {
    flags[pfn] = (f & PG_LRU_DEACTIVATE ? f : f | PG_ACTIVE) & ~PG_REFERENCED;
  }
}

/**
 * Whether a page-cache page is mlocked (on the unevictable list): some
 * VM_LOCKED VMA maps its index.
 */
export function cachePageUnevictable(inode: Inode, index: number): boolean {
  for (const v of inode.mappings) {
    if ((v.flags & VM_LOCKED) && index >= v.pgoff && index < v.pgoff + v.pages) return true;
  }
  return false;
}

/**
 * mm/swap.c: folio_deactivate(): an active page is queued on the per-CPU
 * lru_deactivate batch (taken off the LRU); the batch is applied when it
 * fills up or at the next lru_add_drain().
 */
export function deactivate(m: Machine, pfn: number, unevictable = false): void {
  const flags = m.frames.flags;
  const f = flags[pfn];
  if (unevictable || !(f & PG_ACTIVE) || (f & PG_LRU_DEACTIVATE)) return;
  flags[pfn] = f | PG_LRU_DEACTIVATE;
  m.lruDeactivate.push(pfn);
  if (m.lruDeactivate.length >= FOLIO_BATCH_SIZE) lruAddDrain(m);
}

/**
 * mm/swap.c: folio_mark_lazyfree() (MADV_FREE): an anonymous page that is
 * not mlocked is queued on the per-CPU lru_lazyfree batch, taken off the
 * LRU like a deactivation; lru_lazyfree() then clears PG_active and
 * PG_referenced (and PG_swapbacked) at the next lru_add_drain(). Until
 * then smaps still counts the page Referenced. The page is marked
 * PG_LAZYFREE when queued: only reclaim reads it, after a drain.
 */
export function markLazyfree(m: Machine, pfn: number, unevictable = false): void {
  const flags = m.frames.flags;
  const f = flags[pfn];
  if (unevictable || (f & PG_LRU_DEACTIVATE)) return;
  flags[pfn] = f | PG_LRU_DEACTIVATE | (f & PG_ANON ? PG_LAZYFREE : 0);
  m.lruDeactivate.push(pfn);
  if (m.lruDeactivate.length >= FOLIO_BATCH_SIZE) lruAddDrain(m);
}

/**
 * mm/swap.c: lru_add_drain(): applies the queued deactivations and lazy
 * frees (lru_deactivate, lru_lazyfree: clear PG_active and PG_referenced).
 * The kernel drains in exit_mmap, madvise COLD/PAGEOUT/WILLNEED, after
 * populating (GUP) and when mlock or munlock changes a VMA
 * (mlock_vma_pages_range), but not in munmap on this 6.18.44 build; a page
 * freed meanwhile lost its queue bit.
 */
export function lruAddDrain(m: Machine): void {
  const flags = m.frames.flags;
  for (const pfn of m.lruDeactivate) {
    const f = flags[pfn];
    if (!(f & PG_LRU_DEACTIVATE)) continue;
    flags[pfn] = f & ~(PG_LRU_DEACTIVATE | PG_ACTIVE | PG_REFERENCED);
  }
  m.lruDeactivate.length = 0;
}
