/**
 * Faulting pages in ahead of use, as get_user_pages does it:
 * mm/gup.c __mm_populate() / populate_vma_page_range() for MAP_POPULATE,
 * mlock and MAP_LOCKED, and faultin_page_range() for MADV_POPULATE_*.
 * @module
 */

import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from "./pagetable.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import {
  VM_EXEC,
  VM_IO,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./vm_flags.ts";
import { handleMmFault } from "./fault.ts";
import { VM_FAULT_OOM } from "./vm_ops.ts";
import type { Vma } from "./vma.ts";
import { normalPfn } from "./normal_page.ts";
import { lruAddDrain, markAccessed } from "./swap.ts";

/**
 * Faults in [start, end) of `vma` for read or write, like GUP with
 * FOLL_TOUCH (and FOLL_FORCE for mlock): a page not mapped as needed is
 * faulted in, then follow_page_pte() finds it and, for FOLL_TOUCH, marks
 * it dirty if FOLL_WRITE finds it clean, and calls folio_mark_accessed() (PG_referenced: a populated page is Referenced in
 * smaps even where its PTE is old, as in a fork child; populating it again
 * activates it and clears the bit). Returns 0, or the first VM_FAULT
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
  const m = mm.machine;
  const locked = (vma.flags & VM_LOCKED) !== 0;
  for (let a = start; a < end; a += 4096) {
    const vpn = a / 4096;
    const b = mm.pt.bitsAt(vpn);
    if ((b & (need | PTE_PROTNONE)) !== need) {
      const r = handleMmFault(mm, vma, a, a, write);
      if (r !== 0) {
        lruAddDrain(m);
        return { err: r, done: a - start };
      }
    }
    const bits = mm.pt.bitsAt(vpn);
    const pfn = normalPfn(mm, bits, mm.pt.pfnAt(vpn));
    if (pfn < 0) continue;
    // follow_page_pte(), FOLL_WRITE | FOLL_TOUCH: a clean page found
    // writable (an MADV_FREE one) is marked dirty again.
    if (write && !(bits & PTE_DIRTY)) m.frames.flags[pfn] |= PG_DIRTY;
    markAccessed(m, pfn, locked);
  }
  // populate_vma_page_range() and faultin_page_range() end with
  // lru_add_drain(): a deactivation queued by MADV_COLD lands now (seen on
  // 6.18.44: COLD then POPULATE_WRITE of an active page leaves it
  // unreferenced).
  lruAddDrain(m);
  return { err: 0, done: end - start };
}

/**
 * __mm_populate(): faults in every VMA piece of [start, end), ignoring
 * errors (mmap succeeds even if populating past EOF fails). A page the
 * allocator cannot find is not ignored, though: the allocator runs the OOM
 * killer before it fails (mm/page_alloc.c __alloc_pages_may_oom ->
 * mm/oom_kill.c out_of_memory). When the victim is another process, its
 * memory comes back and the populate goes on; when it is this one, the
 * fatal signal stops GUP (__get_user_pages: fatal_signal_pending) and the
 * process dies on its way out of the call.
 */
export function populateRange(p: Process, start: number, end: number): void {
  const mm = p.mm;
  for (let v = mm.vmas.find(start); v !== null && v.start < end; v = v.next) {
    if (v.flags & (VM_IO | VM_PFNMAP)) continue;
    // populate_vma_page_range(): VM_LOCKONFAULT never populates, and GUP
    // refuses a VMA with no access at all (no FOLL_FORCE without one).
    if (v.flags & VM_LOCKONFAULT || !(v.flags & (VM_READ | VM_WRITE | VM_EXEC))) continue;
    const write = (v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
    let from = Math.max(v.start, start);
    const to = Math.min(v.end, end);
    for (;;) {
      const r = faultinVmaRange(mm, v, from, to, write);
      if (!(r.err & VM_FAULT_OOM)) break;
      const victim = mm.machine.outOfMemory();
      if (victim === null || victim === p || !p.alive) return;
      from += r.done;
    }
  }
}
