/**
 * brk(2): mm/mmap.c SYSCALL_DEFINE1(brk) and do_brk_flags(). The program
 * break moves the end of the [heap]: growing extends the heap VMA (or adds
 * a new one where the merge rules refuse, e.g. in a fork child), shrinking
 * unmaps the tail. It never reports an errno: on any failure it returns the
 * old break (glibc's sbrk turns that into ENOMEM). Checked on 6.18.44: a
 * break below start_brk or one that would meet another mapping, or come
 * within a page of it, leaves the break where it was.
 * @module
 */

import { PAGE_SIZE, STACK_GUARD_GAP, TASK_SIZE } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import { Vma } from "./vma.ts";
import {
  set,
  VM_ACCOUNT,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
} from "./vm_flags.ts";
import { doMunmap } from "./munmap.ts";
import { mergeNewRange, vmaLink } from "./vma_ops.ts";
import { mayExpandVm, vmEnoughMemory } from "./accounting.ts";
import { vmStartGap } from "./get_unmapped_area.ts";
import { populateRange } from "./populate.ts";

/** x86-64 VM_DATA_DEFAULT_FLAGS (no READ_IMPLIES_EXEC personality). */
const VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

const pageAlign = (x: number) => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/** do_brk_flags(): adds [addr, addr + len) to the heap. 0 or -errno. */
function doBrkFlags(mm: Mm, prev: Vma | null, addr: number, len: number): number {
  const flags = set(VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT, mm.defFlags);
  if (!mayExpandVm(mm, flags, len / PAGE_SIZE)) return -1; // RLIMIT_AS, RLIMIT_DATA
  if (mm.mapCount > mm.machine.sysctl.maxMapCount) return -1;
  if (!vmEnoughMemory(mm, len / PAGE_SIZE)) return -1;
  const next = prev === null ? mm.vmas.first : prev.next;
  // Expand the previous VMA when the merge rules allow (never a fork child's).
  if (prev !== null && prev.end === addr) {
    const merged = mergeNewRange(mm, prev, next, addr, addr + len, {
      flags,
      file: null,
      pgoff: addr / PAGE_SIZE,
      anonVma: null,
      uffd: null,
      anonName: null,
    }, true);
    if (merged !== null) return 0;
  }
  vmaLink(mm, new Vma(mm, addr, addr + len, flags, addr / PAGE_SIZE, null));
  return 0;
}

/** brk(addr): returns the new break, or the old one if it cannot move. */
export function sysBrk(p: Process, addrArg: bigint | number): number {
  const mm = p.mm;
  const big = BigInt.asUintN(64, BigInt(addrArg));
  const origbrk = mm.brk;
  if (big >= BigInt(TASK_SIZE)) return origbrk;
  const brk = Number(big);
  // CONFIG_COMPAT_BRK is off: the break cannot go below start_brk.
  if (brk < mm.startBrk) return origbrk;
  const newbrk = pageAlign(brk);
  const oldbrk = pageAlign(mm.brk);
  const tr = mm.machine.trace;
  if (oldbrk === newbrk) {
    tr?.step("", "the break moves within its page: no VMA change");
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    // Always allow shrinking, if the range really is heap.
    const v = mm.vmas.find(newbrk);
    if (v === null || v.start >= oldbrk) return origbrk;
    tr?.step("do_vmi_align_munmap", "shrinking: the heap above the new break is unmapped");
    mm.brk = brk;
    if (doMunmap(mm, newbrk, oldbrk) !== 0) {
      mm.brk = origbrk;
      return origbrk;
    }
    return brk;
  }
  // check_brk_limits(): the range must fit below TASK_SIZE.
  if (newbrk > TASK_SIZE) return origbrk;
  // The next VMA must leave a page (and a stack's guard gap) free above.
  const next = mm.vmas.find(oldbrk);
  if (next !== null && next.start < newbrk + PAGE_SIZE + STACK_GUARD_GAP) {
    if (newbrk + PAGE_SIZE > vmStartGap(next)) {
      tr?.step("", `the next VMA at ${next.start.toString(16)} (and its guard gap) is in the way`);
      return origbrk;
    }
  }
  // vma_prev_limit(start_brk): the heap VMA just below the old break.
  const prev = mm.vmas.findPrev(oldbrk);
  const brkvma = prev !== null && prev.start >= mm.startBrk ? prev : null;
  tr?.step(
    "do_brk_flags",
    brkvma !== null ? "tries to expand the heap VMA below the old break" : "a new heap VMA",
  );
  if (doBrkFlags(mm, brkvma, oldbrk, newbrk - oldbrk) < 0) return origbrk;
  mm.brk = brk;
  if (mm.defFlags & VM_LOCKED) populateRange(p, oldbrk, newbrk);
  return brk;
}
