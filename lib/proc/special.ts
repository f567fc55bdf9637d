/**
 * Special mappings installed by execve: [vdso], [vvar], [vvar_vclock]
 * (mm/mmap.c _install_special_mapping, arch/x86/entry/vdso/vma.c). They
 * refuse to be split (may_split -> -EINVAL) and fault in kernel pages as
 * special PTEs; [vvar] pages 1 and 3 and [vvar_vclock] page 1 have no page
 * behind them and raise SIGBUS, as on this machine's kernel (linux-mm.md §7.6).
 * @module
 */

import { EINVAL } from "../abi/errno.ts";
import type { VmFault, VmOperations } from "../mm/vm_ops.ts";
import { VM_FAULT_NOPAGE, VM_FAULT_SIGBUS } from "../mm/vm_ops.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_YOUNG } from "../mm/pagetable.ts";
import type { Vma } from "../mm/vma.ts";

function specialOps(name: string, missing: ReadonlySet<number>): VmOperations {
  return {
    name: () => name,
    maySplit: (_v: Vma, _addr: number) => -EINVAL,
    mremap: (_v: Vma) => 0,
    fault(vmf: VmFault): number {
      const idx = (vmf.address - vmf.vma.start) / 4096;
      if (missing.has(idx)) return VM_FAULT_SIGBUS;
      const frames = vmf.vma.mm.machine.frames;
      // Kernel pages: reserved frames, mapped without refcounting.
      const pfn = 1 + ((name.length * 7 + idx) % (frames.reservedFrames - 2));
      vmf.vma.mm.pt.set(vmf.address / 4096, pfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
      return VM_FAULT_NOPAGE;
    },
  };
}

export const VDSO_OPS = specialOps("[vdso]", new Set());
export const VVAR_OPS = specialOps("[vvar]", new Set([1, 3]));
export const VVAR_VCLOCK_OPS = specialOps("[vvar_vclock]", new Set([1]));
