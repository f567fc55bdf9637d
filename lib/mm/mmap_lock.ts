/**
 * The mmap lock (include/linux/mmap_lock.h, mm->mmap_lock, an rw
 * semaphore) and the per-VMA lock, tracked so that assertions can be
 * evaluated where a driver calls them: a CPU fault runs with the lock held
 * for read (or, with CONFIG_PER_VMA_LOCK, only the faulting VMA
 * read-locked: lock_vma_under_rcu()), mmap/munmap/mprotect/mremap/brk and
 * most madvise advices hold it for write, GUP for read.
 *
 * mmlab has one CPU and a call runs to its end, so the lock never makes a
 * task wait: it is state (readers, writer, mm_lock_seq) read by
 * {@link mmapAssertWriteLocked} and the vm_flags modifiers below, which is
 * what devices.md §0.4 asks for: a driver that changes vm_flags from its
 * fault handler gets the kernel's WARNING in dmesg, per policy
 * `mm.vmFlagsAssert`:
 *
 * ```
 *  none          (< 6.3)   no vm_flags_*() helpers, no check
 *  lockdep-only  (6.3-6.9) lockdep_assert_held_write(): WARNING only when
 *                          config.LOCKDEP=y, at include/linux/mmap_lock.h
 *  always        (6.10+)   rwsem_assert_held_write(): WARNING on every
 *                          kernel, at include/linux/rwsem.h
 * ```
 *
 * and, 6.4 on, vm_flags_set() asserts only through vma_start_write(),
 * which is empty without CONFIG_PER_VMA_LOCK (`config.PER_VMA_LOCK=n`);
 * in 6.3 (`unavailable`) it called mmap_assert_write_locked() itself.
 * @module
 */

import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import type { Process } from "../proc/process.ts";
import { kernelRelease, warnSplat } from "../panic.ts";
import { clear, set } from "./vm_flags.ts";

/** mm->mmap_lock as state: who holds it, and mm->mm_lock_seq. */
export class MmapLock {
  /** Readers holding it (mmap_read_lock). */
  readers = 0;
  /** Held for write (mmap_write_lock). */
  writer = false;
  /**
   * mm->mm_lock_seq: bumped when the write lock is released
   * (vma_end_write_all()), which ends every VMA write lock taken under it.
   */
  seq = 0;
  /** VMAs read-locked by per-VMA-lock faults (vma_start_read) right now. */
  vmaReaders = 0;
}

/** mmap_read_lock() */
export function mmapReadLock(mm: Mm): void {
  mm.mmapLock.readers++;
}

/** mmap_read_unlock() */
export function mmapReadUnlock(mm: Mm): void {
  if (mm.mmapLock.readers === 0) throw new Error("mmap_read_unlock without the lock");
  mm.mmapLock.readers--;
}

/** mmap_write_lock() */
export function mmapWriteLock(mm: Mm): void {
  mm.mmapLock.writer = true;
}

/** mmap_write_unlock(): vma_end_write_all() first (mm_lock_seq++). */
export function mmapWriteUnlock(mm: Mm): void {
  if (!mm.mmapLock.writer) throw new Error("mmap_write_unlock without the lock");
  mm.mmapLock.seq++;
  mm.mmapLock.writer = false;
}

/**
 * Runs `fn` with the mmap lock held for write, unless it already is (a
 * nested call of the same syscall path: the kernel takes it once).
 */
export function withMmapWriteLock<R>(mm: Mm, fn: () => R): R {
  if (mm.mmapLock.writer) return fn();
  mmapWriteLock(mm);
  try {
    return fn();
  } finally {
    mmapWriteUnlock(mm);
  }
}

/** Runs `fn` with the mmap lock held for read (GUP, a fault), unless it is held already. */
export function withMmapReadLock<R>(mm: Mm, fn: () => R): R {
  const l = mm.mmapLock;
  if (l.writer || l.readers > 0) return fn();
  mmapReadLock(mm);
  try {
    return fn();
  } finally {
    mmapReadUnlock(mm);
  }
}

/**
 * Policy `config.PER_VMA_LOCK`: an anonymous fault only read-locks its VMA
 * (lock_vma_under_rcu(), 6.4), so not even the mmap read lock is held.
 */
const FAULTS_UNDER_VMA_LOCK: Record<KnobValue<"config.PER_VMA_LOCK">, boolean> = {
  unavailable: false,
  n: false,
  y: true,
};

/** What {@link faultLockEnter} took: nothing (already held), the mmap read lock, a VMA lock. */
export type FaultLock = 0 | 1 | 2;

/**
 * The lock a CPU fault on `vma` runs under (arch/x86/mm/fault.c
 * do_user_addr_fault): the per-VMA read lock for an anonymous VMA when
 * CONFIG_PER_VMA_LOCK (lock_vma_under_rcu), else the mmap lock for read.
 * Pair with {@link faultLockExit} (no closure: the fault path is hot).
 */
export function faultLockEnter(mm: Mm, vma: Vma): FaultLock {
  const l = mm.mmapLock;
  if (l.writer || l.readers > 0) return 0;
  if (vma.isAnonymous && FAULTS_UNDER_VMA_LOCK[mm.machine.policy("config.PER_VMA_LOCK")]) {
    l.vmaReaders++;
    return 2;
  }
  l.readers++;
  return 1;
}

/** Drops what {@link faultLockEnter} took. */
export function faultLockExit(mm: Mm, took: FaultLock): void {
  if (took === 1) mm.mmapLock.readers--;
  else if (took === 2) mm.mmapLock.vmaReaders--;
}

/** Runs `fn` under the lock a fault on `vma` takes ({@link faultLockEnter}). */
export function withFaultLock<R>(mm: Mm, vma: Vma, fn: () => R): R {
  const took = faultLockEnter(mm, vma);
  try {
    return fn();
  } finally {
    faultLockExit(mm, took);
  }
}

/**
 * Where an assertion is evaluated: the function the check is inlined into,
 * with the offset the unwinder prints (`remap_pfn_range_notrack+0x625/0x650`),
 * and its callers, innermost first.
 */
export interface AssertSite {
  fn: string;
  trace: readonly string[];
}

/** How mm.vmFlagsAssert checks: not at all, with lockdep only, always. */
const ASSERT_MODE: Record<KnobValue<"mm.vmFlagsAssert">, "none" | "lockdep" | "rwsem"> = {
  none: "none",
  "lockdep-only": "lockdep",
  always: "rwsem",
};

/** config.LOCKDEP */
const LOCKDEP: Record<KnobValue<"config.LOCKDEP">, boolean> = { n: false, y: true };

/**
 * The assertion's file:line in the splat. Line numbers differ by release;
 * these are the ones in the reports devices.md §0.4 quotes (6.3-rc6 for
 * mmap_lock.h, 6.10-rc1 for rwsem.h).
 */
const LOCKDEP_AT = { file: "include/linux/mmap_lock.h", line: 161 };
const RWSEM_AT = { file: "include/linux/rwsem.h", line: 85 };

/** The task running kernel code for `mm` now: current, else the first live user of mm. */
function currentOf(mm: Mm): { pid: number; comm: string } {
  const m = mm.machine;
  const t = m.current;
  if (t !== null) return { pid: t.tid, comm: t.group.comm };
  for (const p of m.procs.values()) if (p.alive && p.mm === mm) return { pid: p.pid, comm: p.comm };
  return { pid: 0, comm: "swapper/0" };
}

/**
 * mmap_assert_write_locked(): evaluates the assertion against the lock
 * state now. Held for write: nothing. Otherwise, per `mm.vmFlagsAssert`:
 * no check (none), a lockdep WARNING when config.LOCKDEP=y (lockdep-only:
 * lockdep_assert_held_write; the VM_BUG_ON_MM beside it fires only when
 * the lock is not held at all, and only with CONFIG_DEBUG_VM, not
 * modelled), or a WARNING on any kernel (always:
 * rwsem_assert_held_write_nolockdep, or lockdep's own with LOCKDEP, both
 * in rwsem.h). A WARNING taints the kernel W and execution goes on.
 * Returns whether the lock was held for write.
 */
export function mmapAssertWriteLocked(mm: Mm, site: AssertSite): boolean {
  if (mm.mmapLock.writer) return true;
  const m = mm.machine;
  const mode = ASSERT_MODE[m.policy("mm.vmFlagsAssert")];
  if (mode === "none") return false;
  if (mode === "lockdep" && !LOCKDEP[m.policy("config.LOCKDEP")]) return false;
  const at = mode === "lockdep" ? LOCKDEP_AT : RWSEM_AT;
  warnSplat(m.dmesg, m.taint, {
    ...currentOf(mm),
    release: kernelRelease(m.config.preset),
    ...at,
    fn: site.fn,
    trace: site.trace,
  });
  return false;
}

/**
 * Policy `config.PER_VMA_LOCK` as vm_flags_set() sees it: `unavailable`
 * (6.3: it asserts the mmap write lock itself), `n` (6.4+: through
 * vma_start_write(), empty without per-VMA locks: no check), `y`
 * (vma_start_write() asserts, then write-locks the VMA).
 */
const VMA_START_WRITE: Record<KnobValue<"config.PER_VMA_LOCK">, "direct" | "none" | "vma"> = {
  unavailable: "direct",
  n: "none",
  y: "vma",
};

/**
 * vma_start_write(): write-locks the VMA until the mmap write lock is
 * released. With per-VMA locks it first asserts the mmap write lock
 * (__is_vma_write_locked -> mmap_assert_write_locked), every time.
 */
export function vmaStartWrite(vma: Vma, site: AssertSite): void {
  const mm = vma.mm;
  const how = VMA_START_WRITE[mm.machine.policy("config.PER_VMA_LOCK")];
  if (how === "none") return;
  const held = mmapAssertWriteLocked(mm, site);
  if (how === "vma" && held) vma.vmLockSeq = mm.mmapLock.seq;
}

/** vma_assert_write_locked(): is `vma` write-locked under the current mmap write lock? */
export function vmaIsWriteLocked(vma: Vma): boolean {
  const l = vma.mm.mmapLock;
  return l.writer && vma.vmLockSeq === l.seq;
}

/** The site of a vm_flags_*() call made by a driver that passes none. */
const DEFAULT_SITE: AssertSite = { fn: "vm_flags_set", trace: [] };

/** vm_flags_init(): a VMA not yet in the tree (no lock to hold, no check). */
export function vmFlagsInit(vma: Vma, flags: number): void {
  vma.flags = flags;
}

/** vm_flags_reset(): replaces the flags; asserts the VMA is write-locked. */
export function vmFlagsReset(vma: Vma, flags: number, site: AssertSite = DEFAULT_SITE): void {
  vmaStartWrite(vma, site);
  vma.flags = flags;
}

/** vm_flags_set(): vma_start_write(), then sets `flags`. */
export function vmFlagsSet(vma: Vma, flags: number, site: AssertSite = DEFAULT_SITE): void {
  vmaStartWrite(vma, site);
  vma.flags = set(vma.flags, flags);
}

/** vm_flags_clear(): vma_start_write(), then clears `flags`. */
export function vmFlagsClear(vma: Vma, flags: number, site: AssertSite = DEFAULT_SITE): void {
  vmaStartWrite(vma, site);
  vma.flags = clear(vma.flags, flags);
}

/** vm_flags_mod(): vma_start_write(), then sets `setFlags` and clears `clearFlags`. */
export function vmFlagsMod(
  vma: Vma,
  setFlags: number,
  clearFlags: number,
  site: AssertSite = DEFAULT_SITE,
): void {
  vmaStartWrite(vma, site);
  vma.flags = clear(set(vma.flags, setFlags), clearFlags);
}

/**
 * A syscall that runs under the mmap write lock (mmap, munmap, mprotect,
 * mremap, brk, mlock...): `fn` wrapped to take it around the call and drop
 * it however the call ends (a call that must sleep unwinds and is run
 * again when woken, taking it again).
 */
export function mmapWriteLocked<A extends unknown[], R>(
  fn: (p: Process, ...args: A) => R,
): (p: Process, ...args: A) => R {
  // withMmapWriteLock() inlined: no closure per call (mmap/munmap are hot).
  return (p, ...args) => {
    const mm = p.mm;
    if (mm.mmapLock.writer) return fn(p, ...args);
    mmapWriteLock(mm);
    try {
      return fn(p, ...args);
    } finally {
      mmapWriteUnlock(mm);
    }
  };
}

/**
 * mm/madvise.c madvise_need_mmap_write(): the advices that only read-lock
 * (they change no VMA: REMOVE, WILLNEED, DONTNEED, DONTNEED_LOCKED, FREE,
 * COLD, PAGEOUT, POPULATE_READ/WRITE, COLLAPSE, GUARD_INSTALL/REMOVE).
 */
const MADV_READ_LOCKED: ReadonlySet<number> = new Set([
  9,
  3,
  4,
  24,
  8,
  20,
  21,
  22,
  23,
  25,
  102,
  103,
]);

/** madvise(2) under the lock its advice needs (see {@link MADV_READ_LOCKED}). */
export function madviseLocked<S, L, R>(
  fn: (p: Process, start: S, len: L, advice: number | bigint) => R,
): (p: Process, start: S, len: L, advice: number | bigint) => R {
  return (p, start, len, advice) => {
    const run = () => fn(p, start, len, advice);
    return MADV_READ_LOCKED.has(Number(advice))
      ? withMmapReadLock(p.mm, run)
      : withMmapWriteLock(p.mm, run);
  };
}
