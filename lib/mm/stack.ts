/**
 * Stack growth: mm/mmap.c expand_stack_locked() -> expand_downwards() and
 * acct_stack_growth(). A fault below a VM_GROWSDOWN VMA extends it down to
 * the faulting page if the stack stays within RLIMIT_STACK and at least
 * stack_guard_gap above the previous accessible VMA. linux-mm.md §2.5, §7.2.
 * @module
 */

import { EFAULT, ENOMEM, EPERM } from "../abi/errno.ts";
import { STACK_GUARD_GAP } from "../abi/layout.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from "./vm_flags.ts";
import { anonVmaPrepare } from "./fault.ts";

/** Grows `vma` down to cover `addr`. Returns 0 or -errno. */
export function expandStack(mm: Mm, vma: Vma, addr: number): number {
  if (!(vma.flags & VM_GROWSDOWN)) return -EFAULT;
  const address = addr - (addr % 4096);
  if (address < mm.machine.sysctl.mmapMinAddr && !mm.machine.config.root) return -EPERM;
  const prev = vma.prev;
  // Enforce the guard gap against an accessible, non-stack neighbour only.
  if (
    prev !== null && !(prev.flags & VM_GROWSDOWN) && (prev.flags & (VM_READ | VM_WRITE | VM_EXEC))
  ) {
    if (address - prev.end < STACK_GUARD_GAP) return -ENOMEM;
  }
  if (prev !== null && prev.end > address) return -ENOMEM;
  // acct_stack_growth(): RLIMIT_STACK bounds the whole VMA.
  const size = vma.end - address;
  if (size > mm.rlimits.stack) return -ENOMEM;
  anonVmaPrepare(vma);
  const grow = (vma.start - address) / 4096;
  mm.vmas.setRange(vma, address, vma.end, vma.pgoff - grow);
  return 0;
}
