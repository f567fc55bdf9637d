/**
 * mm/memory.c: vm_normal_page(): which PTEs map a refcounted struct page.
 * Fault-in (populate), the RSS counters and /proc all ask it.
 * @module
 */

import type { Mm } from "./mm.ts";
import { PTE_PRESENT, PTE_SPECIAL } from "./pagetable.ts";

/**
 * The struct page behind a PTE (its pfn), or -1: mm/memory.c vm_normal_page() —
 * special PTEs (the shared zero page, VM_PFNMAP pages, kernel pages of
 * special mappings) have no refcounted page and count nowhere.
 */
export function normalPfn(mm: Mm, bits: number, pfn: number): number {
  if (!(bits & PTE_PRESENT) || (bits & PTE_SPECIAL)) return -1;
  const frames = mm.machine.frames;
  // is_zero_pfn(); !pfn_valid() (a VM_MIXEDMAP PFN past RAM).
  if (pfn === frames.zeroPfn || pfn < 0 || pfn >= frames.nframes) return -1;
  return pfn;
}
