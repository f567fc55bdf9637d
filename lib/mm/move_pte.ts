/**
 * Moving one anonymous page from one address to another without copying
 * it: what UFFDIO_MOVE (mm/userfaultfd.c move_present_pte) does, and what
 * the 2014 RFC's remap_anon_pages() did before it. The callers check
 * their own rules first (dst empty, src present, the page exclusive);
 * this is the move itself.
 * @module
 */

import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { anonVmaPrepare } from "./fault.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./pagetable.ts";

/**
 * Clears src's PTE and maps `pfn` at dst inside one pair of mmu-notifier
 * brackets. The shared zero page stays special (pfn_pte(zero pfn,
 * vm_page_prot): young, as x86 page protections carry _PAGE_ACCESSED); an
 * anonymous page follows dst's anon_vma and index and is mapped young,
 * dirty and writable (folio_mk_pte + pte_mkdirty + pte_mkwrite).
 *
 * Preconditions: dst's PTE is none, src's maps `pfn`, and `pfn` is the zero
 * page or an exclusive anonymous page mapped once.
 */
export function moveAnonPte(mm: Mm, dst: Vma, dstAddr: number, srcAddr: number, pfn: number): void {
  const pt = mm.pt;
  const frames = mm.machine.frames;
  const r1 = mm.invalidateStart(srcAddr, srcAddr + 4096, "CLEAR");
  const r2 = mm.invalidateStart(dstAddr, dstAddr + 4096, "CLEAR");
  pt.set(srcAddr / 4096, 0, 0);
  if (pfn === frames.zeroPfn) {
    pt.set(dstAddr / 4096, pfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
  } else {
    anonVmaPrepare(dst);
    frames.owner[pfn] = dst.anonVma!.id;
    frames.index[pfn] = dst.pageIndex(dstAddr);
    pt.set(dstAddr / 4096, pfn, PTE_PRESENT | PTE_YOUNG | PTE_DIRTY | PTE_WRITE);
  }
  mm.invalidateEnd(r2);
  mm.invalidateEnd(r1);
}
