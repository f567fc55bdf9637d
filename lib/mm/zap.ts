/**
 * Removing PTEs: mm/memory.c zap_pte_range() and friends. Each present
 * normal page loses one mapping and one reference (and is freed when that
 * was the last); special PTEs (zero page, PFN maps) carry no reference.
 * Secondary MMUs are told before and after (mmu_notifier_invalidate_range_*).
 * @module
 */

import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { PTE_DIRTY, PTE_MARKER, PTE_PRESENT, PTE_SPECIAL } from "./pagetable.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import type { MmuNotifyEvent } from "./mmu_notifier.ts";

export interface ZapOptions {
  /** Also remove PTE markers (guard regions): true for munmap/exit, false for MADV_DONTNEED. */
  dropMarkers: boolean;
  /** Notifier event; default UNMAP. */
  event?: MmuNotifyEvent;
  /** Skip the notifier calls (the caller brackets several zaps itself). */
  quiet?: boolean;
}

/** Zaps [start, end) of `vma` (within it). Returns the number of PTEs cleared. */
export function zapRange(mm: Mm, vma: Vma, start: number, end: number, opts: ZapOptions): number {
  void vma;
  const range = opts.quiet ? null : mm.invalidateStart(start, end, opts.event ?? "UNMAP");
  const frames = mm.machine.frames;
  let n = 0;
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    const bits = t.bits, pfns = t.pfn;
    for (let i = lo; i < hi; i++) {
      const b = bits[i];
      if (b === 0) continue;
      if (b & PTE_PRESENT) {
        if (!(b & PTE_SPECIAL)) {
          const pfn = pfns[i];
          frames.mapcount[pfn]--;
          if (b & PTE_DIRTY) frames.flags[pfn] |= PG_DIRTY;
          frames.put(pfn);
        }
      } else if ((b & PTE_MARKER) && !opts.dropMarkers) {
        continue;
      }
      bits[i] = 0;
      pfns[i] = 0;
      t.used--;
      n++;
    }
  });
  mm.invalidateEnd(range);
  return n;
}
