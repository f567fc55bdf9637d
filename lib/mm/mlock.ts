/**
 * mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2): mm/mlock.c
 * of Linux 6.18.
 *
 * - The range is `start` rounded down and `len + (start & 0xfff)` rounded
 *   up, with the kernel's unsigned wrap-around: a len that rounds to 0 locks
 *   nothing and returns 0 (mlock(addr, -1) succeeds), one that makes
 *   `start + len` overflow is EINVAL (for root; a non-root caller trips the
 *   RLIMIT_MEMLOCK check first and gets ENOMEM).
 * - apply_vma_lock_flags(): the range must start inside a VMA (ENOMEM);
 *   VMAs are changed in order with {@link vmaModify} (split/merge), and a
 *   hole stops the walk with ENOMEM, earlier VMAs keeping the change.
 *   mlock_fixup() leaves VM_SPECIAL, VM_DROPPABLE, hugetlb and DAX VMAs
 *   unlocked without error (vma_supports_mlock()).
 * - Then __mm_populate() faults the range in (not for VM_LOCKONFAULT);
 *   its errors become the syscall's: EFAULT (a PROT_NONE VMA, a page past
 *   EOF, a guard marker) is reported as ENOMEM, ENOMEM as EAGAIN
 *   (__mlock_posix_error_return()); the VMAs stay locked.
 * - Root has CAP_IPC_LOCK: no RLIMIT_MEMLOCK check. Otherwise a zero limit
 *   is EPERM (can_do_mlock()), and locking beyond it ENOMEM.
 *
 * Everything above was checked on 6.18.44. Pages are not marked PG_mlocked
 * (mmlab has no reclaim for it to matter).
 * @module
 */

import { EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM } from "../abi/errno.ts";
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT } from "../abi/mman.ts";
import { pageAlignU64, s32, TASK_SIZE, u64, U64_MAX } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  any,
  clear,
  set,
  VM_ACCESS_FLAGS,
  VM_DROPPABLE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_SHARED,
  VM_SPECIAL,
  VM_WRITE,
} from "./vm_flags.ts";
import { vmaModify } from "./vma_ops.ts";
import { faultinVmaRange, populateThen } from "./populate.ts";
import { lruAddDrain } from "./swap.ts";
import { VM_FAULT_OOM } from "./vm_ops.ts";

/** An end address past every user mapping, standing for any u64 end above it. */
const FAR_END = 2 ** 48;

/** can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
function canDoMlock(p: Process): boolean {
  return p.mm.rlimits.memlock !== 0 || p.machine.config.root;
}

/** capable(CAP_IPC_LOCK) */
function capIpcLock(p: Process): boolean {
  return p.machine.config.root;
}

/** RLIMIT_MEMLOCK in pages (Infinity for RLIM_INFINITY). */
function lockLimitPages(p: Process): number {
  const l = p.mm.rlimits.memlock;
  return l === Infinity ? Infinity : Math.floor(l / 4096);
}

/** mm->locked_vm: pages of VM_LOCKED VMAs. */
export function lockedVm(mm: Mm): number {
  let n = 0;
  for (let v = mm.vmas.first; v !== null; v = v.next) if (v.flags & VM_LOCKED) n += v.pages;
  return n;
}

/** count_mm_mlocked_page_nr(): locked pages already inside [start, end). */
function countMlocked(mm: Mm, start: number, end: number): number {
  let n = 0;
  for (let v = mm.vmas.find(start); v !== null && v.start < end; v = v.next) {
    if (!(v.flags & VM_LOCKED)) continue;
    n += (Math.min(v.end, end) - Math.max(v.start, start)) / 4096;
  }
  return n;
}

/**
 * mm/internal.h vma_supports_mlock(): VMAs mlock leaves alone (no error);
 * mm/vma.c __mmap_complete() also clears VM_LOCKED_MASK on a new one.
 */
export function supportsMlock(v: Vma): boolean {
  if (any(v.flags, VM_SPECIAL | VM_HUGETLB) || any(v.flags, VM_DROPPABLE)) return false;
  return !(v.file !== null && v.file.inode.dax); // vma_is_dax()
}

/**
 * mlock_fixup(): gives [start, end) of `vma` the flags `newflags`. Returns
 * -errno (ENOMEM at the map-count limit, EINVAL for a special mapping that
 * refuses to split) or the VMA now covering the range.
 */
function mlockFixup(mm: Mm, vma: Vma, start: number, end: number, newflags: number): Vma | number {
  if (newflags === vma.flags || !supportsMlock(vma)) return vma;
  const oldflags = vma.flags;
  const r = vmaModify(mm, vma, start, end, { flags: newflags });
  // mlock_vma_pages_range() (unless the range was locked and stays so)
  // drains the per-CPU LRU batches around its page walk.
  if (typeof r !== "number" && !(newflags & oldflags & VM_LOCKED)) lruAddDrain(mm.machine);
  return r;
}

/** apply_vma_lock_flags(): `flags` is VM_LOCKED(|VM_LOCKONFAULT) or 0. */
function applyVmaLockFlags(mm: Mm, start: bigint, len: bigint, flags: number): number {
  const endB = start + len;
  if (endB > U64_MAX) return -EINVAL;
  if (len === 0n) return 0;
  const s = start >= BigInt(FAR_END) ? FAR_END : Number(start);
  const end = endB >= BigInt(FAR_END) ? FAR_END : Number(endB);
  let vma = mm.vmas.lookup(s);
  if (vma === null) return -ENOMEM;
  let nstart = s;
  let tmp = vma.start;
  while (vma !== null && vma.start < end) {
    if (vma.start !== tmp) return -ENOMEM;
    const newflags = set(clear(vma.flags, VM_LOCKED_MASK), flags);
    tmp = Math.min(vma.end, end);
    const r = mlockFixup(mm, vma, nstart, tmp, newflags);
    if (typeof r === "number") return r;
    tmp = r.end;
    nstart = tmp;
    vma = r.next;
  }
  return tmp < end ? -ENOMEM : 0;
}

/** The -errno for a VM_FAULT_* code met by GUP (faultin_page()). */
function faultErrno(code: number): number {
  return code & VM_FAULT_OOM ? -ENOMEM : -EFAULT;
}

/**
 * mm/gup.c: populate_vma_page_range(): pages done, or -errno. Writable
 * private VMAs are write-faulted (COW broken), others read-faulted with
 * FOLL_FORCE (write-only and exec-only VMAs work); PROT_NONE is EFAULT.
 */
function populateVmaPageRange(mm: Mm, vma: Vma, start: number, end: number): number {
  const pages = (end - start) / 4096;
  if (vma.flags & VM_LOCKONFAULT) return pages;
  if (!(vma.flags & VM_ACCESS_FLAGS)) return -EFAULT;
  const write = (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  const r = faultinVmaRange(mm, vma, start, end, write);
  if (r.err === 0) return pages;
  return r.done > 0 ? r.done / 4096 : faultErrno(r.err);
}

/**
 * mm/gup.c: __mm_populate(): faults in every VMA piece of [start, end),
 * skipping VM_IO/VM_PFNMAP. Stops at the first error unless
 * `ignoreErrors` (then it goes on with the next VMA). Returns 0 or -errno.
 */
export function mmPopulate(mm: Mm, start: number, end: number, ignoreErrors: boolean): number {
  let nstart = start;
  let vma: Vma | null = null;
  while (nstart < end) {
    if (vma === null || nstart >= vma.end) {
      vma = mm.vmas.find(vma === null ? nstart : vma.end);
      if (vma === null || vma.start >= end) break;
    }
    let nend = Math.min(end, vma.end);
    if (vma.flags & (VM_IO | VM_PFNMAP)) {
      nstart = nend;
      continue;
    }
    if (nstart < vma.start) nstart = vma.start;
    const ret = populateVmaPageRange(mm, vma, nstart, nend);
    if (ret < 0) {
      if (ignoreErrors) {
        nstart = nend;
        continue;
      }
      return ret;
    }
    nend = nstart + ret * 4096;
    nstart = nend;
  }
  return 0;
}

/** __mlock_posix_error_return() */
function posixErrorReturn(err: number): number {
  if (err === -EFAULT) return -ENOMEM;
  if (err === -ENOMEM) return -EAGAIN;
  return err;
}

/** do_mlock() */
function doMlock(p: Process, startArg: bigint | number, lenArg: bigint | number, flags: number) {
  const mm = p.mm;
  let start = u64(startArg);
  if (!canDoMlock(p)) return -EPERM;
  const len = pageAlignU64(BigInt.asUintN(64, u64(lenArg) + (start & 0xfffn)));
  start &= ~0xfffn;
  const limit = lockLimitPages(p);
  let locked = Number(len >> 12n) + lockedVm(mm);
  let error = -ENOMEM;
  if (locked > limit && !capIpcLock(p)) {
    // The part of the range that is already locked does not count twice.
    const s = start >= BigInt(FAR_END) ? FAR_END : Number(start);
    const e = start + len >= BigInt(FAR_END) ? FAR_END : Number(start + len);
    locked -= countMlocked(mm, s, e);
  }
  if (locked <= limit || capIpcLock(p)) error = applyVmaLockFlags(mm, start, len, flags);
  if (error) return error;
  if (len === 0n) return 0;
  const s = Number(start);
  const e = Math.min(Number(start + len), FAR_END);
  // __mm_populate(), in steps where asked (populate.ts populateThen).
  const populate = (a: number, b: number) => mmPopulate(mm, a, b, false);
  return populateThen(p, s, e, true, populate, (err) => err ? posixErrorReturn(err) : 0);
}

/** mlock(addr, len) */
export function sysMlock(p: Process, a: bigint | number, l: bigint | number): number {
  return doMlock(p, a, l, VM_LOCKED);
}

/** mlock2(addr, len, flags): only MLOCK_ONFAULT is a valid flag. */
export function sysMlock2(
  p: Process,
  a: bigint | number,
  l: bigint | number,
  f: bigint | number,
): number {
  const flags = s32(f);
  if (flags & ~MLOCK_ONFAULT) return -EINVAL;
  let vmFlags = VM_LOCKED;
  if (flags & MLOCK_ONFAULT) vmFlags |= VM_LOCKONFAULT;
  return doMlock(p, a, l, vmFlags);
}

/** munlock(addr, len): no permission check. */
export function sysMunlock(p: Process, a: bigint | number, l: bigint | number): number {
  let start = u64(a);
  const len = pageAlignU64(BigInt.asUintN(64, u64(l) + (start & 0xfffn)));
  start &= ~0xfffn;
  return applyVmaLockFlags(p.mm, start, len, 0);
}

/** apply_mlockall_flags(): def_flags for MCL_FUTURE, every VMA for MCL_CURRENT. */
function applyMlockallFlags(mm: Mm, flags: number): number {
  mm.defFlags = clear(mm.defFlags, VM_LOCKED_MASK);
  if (flags & MCL_FUTURE) {
    mm.defFlags = set(mm.defFlags, VM_LOCKED);
    if (flags & MCL_ONFAULT) mm.defFlags = set(mm.defFlags, VM_LOCKONFAULT);
    if (!(flags & MCL_CURRENT)) return 0;
  }
  let toAdd = 0;
  if (flags & MCL_CURRENT) {
    toAdd = VM_LOCKED;
    if (flags & MCL_ONFAULT) toAdd |= VM_LOCKONFAULT;
  }
  for (let v = mm.vmas.first; v !== null;) {
    const newflags = set(clear(v.flags, VM_LOCKED_MASK), toAdd);
    const r = mlockFixup(mm, v, v.start, v.end, newflags);
    // Errors are ignored.
    v = typeof r === "number" ? v.next : r.next;
  }
  return 0;
}

/** mlockall(flags) */
export function sysMlockall(p: Process, f: bigint | number): number {
  const flags = s32(f);
  if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags === MCL_ONFAULT) {
    return -EINVAL;
  }
  if (!canDoMlock(p)) return -EPERM;
  const mm = p.mm;
  let totalVm = 0;
  for (let v = mm.vmas.first; v !== null; v = v.next) totalVm += v.pages;
  let ret = -ENOMEM;
  if (!(flags & MCL_CURRENT) || totalVm <= lockLimitPages(p) || capIpcLock(p)) {
    ret = applyMlockallFlags(mm, flags);
  }
  if (!ret && (flags & MCL_CURRENT)) {
    // __mm_populate(0, TASK_SIZE, 1): errors (-EINTR too) are ignored.
    return populateThen(p, 0, TASK_SIZE, false, (a, b) => mmPopulate(mm, a, b, true), () => ret);
  }
  return ret;
}

/** munlockall() */
export function sysMunlockall(p: Process): number {
  return applyMlockallFlags(p.mm, 0);
}
