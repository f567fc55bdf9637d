/**
 * Overcommit accounting: mm/util.c __vm_enough_memory(), the three modes
 * of vm.overcommit_memory. Committed_AS is computed from the VM_ACCOUNT
 * VMAs of every live process when strict mode needs it.
 * @module
 */

import type { Mm } from "./mm.ts";
import { ENOMEM } from "../abi/errno.ts";
import { VM_ACCOUNT, VM_GROWSDOWN, VM_LOCKED, VM_SHARED, VM_WRITE } from "./vm_flags.ts";
import type { Inode } from "../fs/inode.ts";

/** Pages of RAM the kernel would call totalram_pages(). */
export function totalRamPages(mm: Mm): number {
  const f = mm.machine.frames;
  return f.ramFrames - f.reservedFrames;
}

/**
 * Committed_AS in pages (vm_committed_as): every VM_ACCOUNT page of every
 * live process, plus each shmem object charged by shmem_acct_size() once
 * (a shared anonymous object lives as long as a VMA maps it).
 */
export function committedPages(mm: Mm): number {
  const seen = new Set<Mm>();
  const objects = new Set<Inode>();
  let n = 0;
  for (const p of mm.machine.procs.values()) {
    if (!p.alive || seen.has(p.mm)) continue;
    seen.add(p.mm);
    for (let v = p.mm.vmas.first; v !== null; v = v.next) {
      if (v.flags & VM_ACCOUNT) n += v.pages;
      const inode = v.file?.inode;
      if (inode !== undefined && inode.shmemAcctPages > 0 && !objects.has(inode)) {
        objects.add(inode);
        n += inode.shmemAcctPages;
      }
    }
  }
  return n;
}

/** The CommitLimit in pages (strict mode): RAM * overcommit_ratio% (no swap). */
export function commitLimit(mm: Mm): number {
  return Math.floor(totalRamPages(mm) * mm.machine.sysctl.overcommitRatio / 100);
}

/**
 * __vm_enough_memory(): may `pages` more be committed? `pending` pages are
 * committed already but not yet in any live process's VMAs (a child that
 * fork is still building); strict mode counts them.
 */
export function vmEnoughMemory(mm: Mm, pages: number, pending = 0): boolean {
  switch (mm.machine.sysctl.overcommitMemory) {
    case 1:
      return true;
    case 0:
      return pages <= totalRamPages(mm);
    default:
      return committedPages(mm) + pending + pages <= commitLimit(mm);
  }
}

/** is_data_mapping(): private, writable, not a stack. */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE;
}

/**
 * mm/mmap.c: may_expand_vm(): RLIMIT_AS on total_vm, RLIMIT_DATA on
 * data_vm (both from mm.rlimits). Costs nothing while both are unlimited.
 */
export function mayExpandVm(mm: Mm, flags: number, npages: number): boolean {
  const { as, data: dataLim } = mm.rlimits;
  const isData = isDataMapping(flags);
  if (as === Infinity && (dataLim === Infinity || !isData)) return true;
  let total = 0, data = 0;
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    total += v.pages;
    if (isDataMapping(v.flags)) data += v.pages;
  }
  if (total + npages > Math.floor(as / 4096)) return false;
  if (isData && data + npages > Math.floor(dataLim / 4096)) {
    // "Workaround for Valgrind": a soft limit of 0 lets data grow to the hard one.
    const max = mm.rlimits.dataMax ?? Infinity;
    if (dataLim === 0 && data + npages <= Math.floor(max / 4096)) return true;
    return false; // (no ignore_rlimit_data boot option)
  }
  return true;
}

/**
 * mm/mlock.c: mlock_future_ok(): a VM_LOCKED range of `bytes` more must
 * fit RLIMIT_MEMLOCK with locked_vm; CAP_IPC_LOCK (root) is never limited.
 */
export function mlockFutureOk(mm: Mm, flags: number, bytes: number): boolean {
  if (!(flags & VM_LOCKED) || mm.machine.config.root) return true;
  let locked = 0;
  for (let v = mm.vmas.first; v !== null; v = v.next) if (v.flags & VM_LOCKED) locked += v.pages;
  return locked + bytes / 4096 <= Math.floor(mm.rlimits.memlock / 4096);
}

/** mm/mlock.c can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK (root). */
export function canDoMlock(mm: Mm): boolean {
  return mm.rlimits.memlock !== 0 || mm.machine.config.root;
}

/**
 * mm->pinned_vm for a driver that pins user memory long-term (RDMA
 * drivers/infiniband/core/umem.c ib_umem_get; GUP itself never counts).
 * ib_umem_get's order is: -EPERM unless {@link canDoMlock}; its own
 * -EOPNOTSUPP for an on-demand MR; then this: -ENOMEM when pinned_vm +
 * npages would pass RLIMIT_MEMLOCK without CAP_IPC_LOCK (the count is
 * taken back), else 0 with the pages counted. Undo with
 * {@link pinnedVmSub}. /proc/PID/status shows it as VmPin.
 */
export function pinnedVmAdd(mm: Mm, npages: number): number {
  const pinned = mm.pinnedVm + npages;
  if (pinned > Math.floor(mm.rlimits.memlock / 4096) && !mm.machine.config.root) return -ENOMEM;
  mm.pinnedVm = pinned;
  return 0;
}

/** Gives back pages {@link pinnedVmAdd} counted (atomic64_sub on unpin/dereg). */
export function pinnedVmSub(mm: Mm, npages: number): void {
  mm.pinnedVm = Math.max(0, mm.pinnedVm - npages);
}
