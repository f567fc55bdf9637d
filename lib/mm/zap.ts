/**
 * Removing PTEs: mm/memory.c zap_pte_range() and friends. Each present
 * normal page loses one mapping and one reference (and is freed when that
 * was the last); special PTEs (zero page, PFN maps) carry no reference.
 * A file page's PTE hands its dirty bit to the page, and its accessed bit
 * too (zap_present_folio_ptes: folio_mark_accessed() when the PTE is young
 * and the VMA has recency: not MADV_SEQUENTIAL/MADV_RANDOM).
 * Secondary MMUs are told before and after (mmu_notifier_invalidate_range_*).
 * @module
 */

import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  MARKER_GUARD,
  MARKER_UFFD_WP,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_YOUNG,
  pteClear,
  pteInstall,
} from "./pagetable.ts";
import { userfaultfdWp } from "./userfaultfd_k.ts";
import { PG_ANON, PG_DIRTY } from "../phys/frames.ts";
import type { MmuNotifyEvent } from "./mmu_notifier.ts";
import { VM_LOCKED, VM_RAND_READ, VM_SEQ_READ } from "./vm_flags.ts";
import { cachePageUnevictable, markAccessed } from "./swap.ts";

export interface ZapOptions {
  /** Also remove PTE markers (guard regions): true for munmap/exit, false for MADV_DONTNEED. */
  dropMarkers: boolean;
  /** Notifier event; default UNMAP. */
  event?: MmuNotifyEvent;
  /** Skip the notifier calls (the caller brackets several zaps itself). */
  quiet?: boolean;
  /** try_to_unmap() (reclaim): the accessed bit is dropped, not passed on. */
  unmapOnly?: boolean;
}

/** mm/internal.h: vma_has_recency() (no FMODE_NOREUSE files here). */
function vmaHasRecency(vma: Vma): boolean {
  return !(vma.flags & (VM_SEQ_READ | VM_RAND_READ));
}

/** Zaps [start, end) of `vma` (within it). Returns the number of PTEs cleared. */
export function zapRange(mm: Mm, vma: Vma, start: number, end: number, opts: ZapOptions): number {
  const range = opts.quiet ? null : mm.invalidateStart(start, end, opts.event ?? "UNMAP");
  const m = mm.machine;
  const frames = m.frames;
  const touch = !opts.unmapOnly && vmaHasRecency(vma);
  // zap_install_uffd_wp_if_needed(): a uffd-wp PTE of a file (shmem) VMA
  // leaves a PTE_MARKER_UFFD_WP, unless the markers go too (munmap, exit).
  const wpMarkers = !opts.dropMarkers && !vma.isAnonymous && userfaultfdWp(vma);
  let n = 0;
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    const bits = t.bits, pfns = t.pfn;
    for (let i = lo; i < hi; i++) {
      const b = bits[i];
      if (b === 0) continue;
      if (b & PTE_PRESENT) {
        if (!(b & PTE_SPECIAL)) {
          const pfn = pfns[i];
          // zap_present_folio_ptes(): only a file page takes the PTE's dirty bit.
          if ((b & PTE_DIRTY) && !(frames.flags[pfn] & PG_ANON)) frames.flags[pfn] |= PG_DIRTY;
          if (touch && (b & PTE_YOUNG) && !(frames.flags[pfn] & PG_ANON)) {
            const inode = vma.file?.inode;
            const locked = (vma.flags & VM_LOCKED) !== 0 ||
              (inode !== undefined && cachePageUnevictable(inode, frames.index[pfn]));
            markAccessed(m, pfn, locked);
          }
          frames.mapcount[pfn]--;
          frames.put(pfn);
        }
        if (wpMarkers && (b & PTE_UFFD_WP)) {
          pteInstall(t, i, MARKER_UFFD_WP, PTE_MARKER | PTE_UFFD_WP);
          n++;
          continue;
        }
      } else if ((b & PTE_MARKER) && !opts.dropMarkers) {
        // zap_nonpresent_ptes(): a guard marker stays, and a uffd-wp one in
        // a file VMA (zap_install_uffd_wp_if_needed); a poison marker, or a
        // uffd-wp one of anonymous memory, goes. Checked on 6.18.44.
        if (pfns[i] === MARKER_GUARD || (wpMarkers && (b & PTE_UFFD_WP))) continue;
      }
      pteClear(t, i);
      n++;
    }
  });
  mm.invalidateEnd(range);
  return n;
}
