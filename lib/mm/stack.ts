/**
 * Stack growth: mm/mmap.c expand_stack_locked() -> expand_downwards() and
 * acct_stack_growth(). A fault below a VM_GROWSDOWN VMA extends it down to
 * the faulting page if the stack stays within RLIMIT_AS, RLIMIT_STACK and
 * (locked) RLIMIT_MEMLOCK, and at least
 * stack_guard_gap above the previous accessible VMA. linux-mm.md §2.5, §7.2.
 * @module
 */

import { EFAULT, ENOMEM, EPERM } from "../abi/errno.ts";
import { STACK_GUARD_GAP } from "../abi/layout.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from "./vm_flags.ts";
import { anonVmaPrepare } from "./fault.ts";
import { mayExpandVm, mlockFutureOk } from "./accounting.ts";

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
  // acct_stack_growth(): the address-space limits (RLIMIT_AS; a stack is
  // not data), RLIMIT_STACK on the whole VMA, then RLIMIT_MEMLOCK for a
  // locked stack (mlock_future_ok()).
  const size = vma.end - address;
  const grow = (vma.start - address) / 4096;
  if (!mayExpandVm(mm, vma.flags, grow)) return -ENOMEM;
  if (size > mm.rlimits.stack) return -ENOMEM;
  if (!mlockFutureOk(mm, vma.flags, grow * 4096)) return -ENOMEM;
  anonVmaPrepare(vma);
  mm.vmas.setRange(vma, address, vma.end, vma.pgoff - grow);
  return 0;
}
