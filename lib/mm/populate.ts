/**
 * Faulting pages in ahead of use, as get_user_pages does it:
 * mm/gup.c __mm_populate() / populate_vma_page_range() for MAP_POPULATE,
 * mlock and MAP_LOCKED, and faultin_page_range() for MADV_POPULATE_*.
 * @module
 */

import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import { PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from "./pagetable.ts";
import {
  VM_EXEC,
  VM_IO,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./vm_flags.ts";
import { handleMmFault } from "./fault.ts";
import type { Vma } from "./vma.ts";

/**
 * Faults in [start, end) of `vma` for read or write, like GUP with
 * FOLL_TOUCH (and FOLL_FORCE for mlock). Returns 0, or the first VM_FAULT
 * error code and how many bytes were done before it.
 */
export function faultinVmaRange(
  mm: Mm,
  vma: Vma,
  start: number,
  end: number,
  write: boolean,
): { err: number; done: number } {
  const need = write ? PTE_PRESENT | PTE_WRITE : PTE_PRESENT;
  for (let a = start; a < end; a += 4096) {
    const b = mm.pt.bitsAt(a / 4096);
    if ((b & (need | PTE_PROTNONE)) === need) continue;
    const r = handleMmFault(mm, vma, a, a, write);
    if (r !== 0) return { err: r, done: a - start };
  }
  return { err: 0, done: end - start };
}

/**
 * __mm_populate(): faults in every VMA piece of [start, end), ignoring
 * errors (mmap succeeds even if populating past EOF fails).
 */
export function populateRange(p: Process, start: number, end: number): void {
  const mm = p.mm;
  for (let v = mm.vmas.find(start); v !== null && v.start < end; v = v.next) {
    if (v.flags & (VM_IO | VM_PFNMAP)) continue;
    // populate_vma_page_range(): VM_LOCKONFAULT never populates, and GUP
    // refuses a VMA with no access at all (no FOLL_FORCE without one).
    if (v.flags & VM_LOCKONFAULT || !(v.flags & (VM_READ | VM_WRITE | VM_EXEC))) continue;
    const write = (v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
    faultinVmaRange(mm, v, Math.max(v.start, start), Math.min(v.end, end), write);
  }
}
