/**
 * Helpers for drivers that map raw page frames (device BARs, pmem) into
 * user space: mm/memory.c vmf_insert_pfn() for a fault handler, and
 * remap_pfn_range() for an ->mmap that maps everything at once. The PTEs
 * are special (pte_mkspecial): vm_normal_page() returns NULL for them, so
 * no struct page refcount or mapcount changes, zap skips the frame,
 * fork copies the PTE as it is (vma_needs_copy: VM_PFNMAP), and the pfn
 * may lie beyond RAM (pfn_valid() false) in an iomem device range.
 * @module
 */

import { EINVAL } from "../abi/errno.ts";
import type { Vma } from "./vma.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./pagetable.ts";
import {
  combine,
  set,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_MAYWRITE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
} from "./vm_flags.ts";
import { VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from "./vm_ops.ts";
import { zapRange } from "./zap.ts";

/** is_cow_mapping(): private and may become writable. */
function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * The PTE bits of vma->vm_page_prot for a special pfn PTE: present and
 * accessed (x86's PAGE_* protections carry _PAGE_ACCESSED), writable for a
 * shared writable VMA, with the VMA's cache mode.
 */
function pfnPteBits(vma: Vma): number {
  const w = (vma.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE) ? PTE_WRITE : 0;
  return PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG | w | vma.cacheMode;
}

/**
 * mm/memory.c vmf_insert_pfn(): maps `pfn` at `addr` from a fault handler.
 * The VMA must be VM_PFNMAP xor VM_MIXEDMAP, and a VM_PFNMAP one must not
 * be a COW mapping (the kernel BUG_ONs; mmlab throws, a driver bug). An
 * address outside the VMA is VM_FAULT_SIGBUS. insert_pfn() leaves an
 * existing PTE alone (a racing fault installed it) and, either way,
 * returns VM_FAULT_NOPAGE: the handler has done the mapping.
 */
export function vmfInsertPfn(vma: Vma, addr: number, pfn: number): number {
  const kind = vma.flags & (VM_PFNMAP | VM_MIXEDMAP);
  if (kind === 0 || kind === (VM_PFNMAP | VM_MIXEDMAP)) {
    throw new Error("kernel BUG in vmf_insert_pfn: VMA needs VM_PFNMAP or VM_MIXEDMAP");
  }
  if ((vma.flags & VM_PFNMAP) && isCowMapping(vma.flags)) {
    throw new Error("kernel BUG in vmf_insert_pfn: VM_PFNMAP on a COW mapping");
  }
  if ((vma.flags & VM_MIXEDMAP) && vma.mm.machine.iomem.pfnValid(pfn)) {
    throw new Error(
      "kernel BUG in vmf_insert_pfn: VM_MIXEDMAP with a valid pfn (use vm_insert_page)",
    );
  }
  if (addr < vma.start || addr >= vma.end) return VM_FAULT_SIGBUS;
  const mm = vma.mm;
  const vpn = Math.floor(addr / 4096);
  // insert_pfn(): !pte_none() -> keep what is there.
  if (mm.pt.bitsAt(vpn) !== 0) return VM_FAULT_NOPAGE;
  mm.pt.set(vpn, pfn, pfnPteBits(vma));
  return VM_FAULT_NOPAGE;
}

/**
 * mm/memory.c remap_pfn_range() -> remap_pfn_range_internal(): maps
 * [addr, addr+size) to pfn.. at once, from a driver's ->mmap. Marks the
 * VMA VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP; a COW mapping must
 * be remapped whole and gets vm_pgoff = pfn (so that the "original"
 * pages can be told from COWed ones). Every PTE in the range must be none
 * (remap_pte_range BUG_ONs otherwise; mmlab throws). Returns 0 or -EINVAL.
 */
export function remapPfnRange(vma: Vma, addr: number, pfn: number, size: number): number {
  const end = addr + Math.ceil(size / 4096) * 4096;
  if (addr % 4096 !== 0 || addr < vma.start || end > vma.end || end <= addr) return -EINVAL;
  if (isCowMapping(vma.flags)) {
    if (addr !== vma.start || end !== vma.end) return -EINVAL;
    vma.pgoff = pfn;
  }
  vma.flags = set(vma.flags, combine(VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP));
  const mm = vma.mm;
  const bits = pfnPteBits(vma);
  const first = addr / 4096, n = (end - addr) / 4096;
  for (let i = 0; i < n; i++) {
    if (mm.pt.bitsAt(first + i) !== 0) {
      throw new Error("kernel BUG at mm/memory.c remap_pte_range: PTE not none");
    }
  }
  for (let i = 0; i < n; i++) mm.pt.set(first + i, pfn + i, bits);
  return 0;
}

/**
 * mm/memory.c zap_vma_ptes(): removes the PTEs of [addr, addr+size) of a
 * VM_PFNMAP VMA (a driver taking its device pages back); on any other VMA,
 * or a range outside it, nothing happens. Returns the PTEs cleared.
 */
export function zapVmaPtes(vma: Vma, addr: number, size: number): number {
  if (addr < vma.start || addr + size > vma.end || !(vma.flags & VM_PFNMAP)) return 0;
  return zapRange(vma.mm, vma, addr, addr + size, { dropMarkers: true });
}
