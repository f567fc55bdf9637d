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

import { EFAULT, EINVAL } from "../abi/errno.ts";
import type { Vma } from "./vma.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./pagetable.ts";
import { vmFlagsSet } from "./mmap_lock.ts";
import { bugOops, kernelRelease } from "../panic.ts";
import {
  combine,
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
  vma.mm.machine.trace?.step(
    "vmf_insert_pfn",
    `pfn 0x${pfn.toString(16)} at 0x${addr.toString(16)}`,
  );
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
 * The call site of remap_pfn_range()'s vm_flags_set(), inlined into
 * remap_pfn_range_notrack (offsets as in the 6.10-rc1 report, devices.md
 * §0.4), and the BUG_ON in remap_pte_range: mm/memory.c line 2183 is
 * where the 5.13 reports put it (the line moves between releases).
 */
const REMAP_FLAGS_FN = "remap_pfn_range_notrack+0x625/0x650";
const REMAP_BUG_AT = { file: "mm/memory.c", line: 2183 };

/**
 * mm/memory.c remap_pfn_range() -> remap_pfn_range_internal(): maps
 * [addr, addr+size) to pfn.. at once, from a driver's ->mmap. A COW
 * mapping must be remapped whole and gets vm_pgoff = pfn (so that the
 * "original" pages can be told from COWed ones). Then the VMA is marked
 * VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP through vm_flags_set(),
 * which asserts the mmap write lock (mmap_lock.ts: a WARNING per
 * `mm.vmFlagsAssert` when called from a fault handler, which holds it
 * only for read). The PTEs are filled in address order; one that is not
 * none is remap_pte_range()'s BUG_ON: `kernel BUG at mm/memory.c:N!`, an
 * oops that kills the current task and taints the kernel D (the PTEs
 * before it stay filled). Returns 0 or -EINVAL (-EFAULT after the oops,
 * which the dead task never sees).
 *
 * `callers` are the call trace above remap_pfn_range for the splats
 * (`vfio_pci_mmap_fault`, `__do_fault`, ...), innermost first.
 */
export function remapPfnRange(
  vma: Vma,
  addr: number,
  pfn: number,
  size: number,
  callers: readonly string[] = [],
): number {
  const end = addr + Math.ceil(size / 4096) * 4096;
  if (addr % 4096 !== 0 || addr < vma.start || end > vma.end || end <= addr) return -EINVAL;
  if (isCowMapping(vma.flags)) {
    if (addr !== vma.start || end !== vma.end) return -EINVAL;
    vma.pgoff = pfn;
  }
  const trace = ["remap_pfn_range", ...callers];
  vmFlagsSet(vma, combine(VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP), {
    fn: REMAP_FLAGS_FN,
    trace,
  });
  const mm = vma.mm;
  const bits = pfnPteBits(vma);
  const first = addr / 4096, n = (end - addr) / 4096;
  for (let i = 0; i < n; i++) {
    if (mm.pt.bitsAt(first + i) !== 0) {
      // remap_pte_range(): BUG_ON(!pte_none(ptep_get(pte))).
      const m = mm.machine;
      const t = m.current;
      const who = t !== null ? { pid: t.tid, comm: t.group.comm } : firstUser(mm);
      bugOops(m.dmesg, m.taint, {
        ...who,
        release: kernelRelease(m.config.preset),
        ...REMAP_BUG_AT,
        fn: "remap_pfn_range_notrack",
        trace,
      });
      m.oopsKill(mm);
      return -EFAULT;
    }
    mm.pt.set(first + i, pfn + i, bits);
  }
  return 0;
}

/** The first live process using `mm` (the splat's PID/Comm when no task is current). */
function firstUser(mm: Vma["mm"]): { pid: number; comm: string } {
  for (const p of mm.machine.procs.values()) {
    if (p.alive && p.mm === mm) return { pid: p.pid, comm: p.comm };
  }
  return { pid: 0, comm: "swapper/0" };
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
