/**
 * Faulting pages in ahead of use, as get_user_pages does it:
 * mm/gup.c __mm_populate() / populate_vma_page_range() for MAP_POPULATE,
 * mlock and MAP_LOCKED, and faultin_page_range() for MADV_POPULATE_*.
 * @module
 */

import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from "./pagetable.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import {
  VM_EXEC,
  VM_IO,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./vm_flags.ts";
import { handleMmFault } from "./fault.ts";
import { VM_FAULT_OOM } from "./vm_ops.ts";
import type { Vma } from "./vma.ts";
import { normalPfn } from "./normal_page.ts";
import { lruAddDrain, markAccessed } from "./swap.ts";
import { EINTR, ENOMEM } from "../abi/errno.ts";
import { withMmapReadLock, withMmapWriteLock } from "./mmap_lock.ts";

/**
 * Faults in [start, end) of `vma` for read or write, like GUP with
 * FOLL_TOUCH (and FOLL_FORCE for mlock): a page not mapped as needed is
 * faulted in, then follow_page_pte() finds it and, for FOLL_TOUCH, marks
 * it dirty if FOLL_WRITE finds it clean, and calls folio_mark_accessed() (PG_referenced: a populated page is Referenced in
 * smaps even where its PTE is old, as in a fork child; populating it again
 * activates it and clears the bit). Returns 0, or the first VM_FAULT
 * error code and how many bytes were done before it.
 */
export function faultinVmaRange(
  mm: Mm,
  vma: Vma,
  start: number,
  end: number,
  write: boolean,
): { err: number; done: number } {
  const need = write ? PTE_PRESENT | PTE_WRITE : PTE_PRESENT;
  const m = mm.machine;
  const locked = (vma.flags & VM_LOCKED) !== 0;
  for (let a = start; a < end; a += 4096) {
    const vpn = a / 4096;
    const b = mm.pt.bitsAt(vpn);
    if ((b & (need | PTE_PROTNONE)) !== need) {
      const r = handleMmFault(mm, vma, a, a, write);
      if (r !== 0) {
        lruAddDrain(m);
        return { err: r, done: a - start };
      }
    }
    const bits = mm.pt.bitsAt(vpn);
    const pfn = normalPfn(mm, bits, mm.pt.pfnAt(vpn));
    if (pfn < 0) continue;
    // follow_page_pte(), FOLL_WRITE | FOLL_TOUCH: a clean page found
    // writable (an MADV_FREE one) is marked dirty again.
    if (write && !(bits & PTE_DIRTY)) m.frames.flags[pfn] |= PG_DIRTY;
    markAccessed(m, pfn, locked);
  }
  // populate_vma_page_range() and faultin_page_range() end with
  // lru_add_drain(): a deactivation queued by MADV_COLD lands now (seen on
  // 6.18.44: COLD then POPULATE_WRITE of an active page leaves it
  // unreferenced).
  lruAddDrain(m);
  return { err: 0, done: end - start };
}

/**
 * __mm_populate(): faults in every VMA piece of [start, end), ignoring
 * errors (mmap succeeds even if populating past EOF fails). A page the
 * allocator cannot find is not ignored, though: the allocator runs the OOM
 * killer before it fails (mm/page_alloc.c __alloc_pages_may_oom ->
 * mm/oom_kill.c out_of_memory). When the victim is another process, its
 * memory comes back and the populate goes on; when it is this one, the
 * fatal signal stops GUP (__get_user_pages: fatal_signal_pending) and the
 * process dies on its way out of the call.
 */
export function populateRange(p: Process, start: number, end: number): void {
  populateOrGiveUp(p, start, end);
}

/**
 * {@link populateRange}, saying whether it gave up: -ENOMEM when the OOM
 * killer found no victim or killed this process (the rest stays unpopulated).
 */
export function populateOrGiveUp(p: Process, start: number, end: number): number {
  const mm = p.mm;
  for (let v = mm.vmas.find(start); v !== null && v.start < end; v = v.next) {
    if (v.flags & (VM_IO | VM_PFNMAP)) continue;
    // populate_vma_page_range(): VM_LOCKONFAULT never populates, and GUP
    // refuses a VMA with no access at all (no FOLL_FORCE without one).
    if (v.flags & VM_LOCKONFAULT || !(v.flags & (VM_READ | VM_WRITE | VM_EXEC))) continue;
    const write = (v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
    let from = Math.max(v.start, start);
    const to = Math.min(v.end, end);
    for (;;) {
      const r = faultinVmaRange(mm, v, from, to, write);
      if (!(r.err & VM_FAULT_OOM)) break;
      const victim = mm.machine.outOfMemory();
      if (victim === null || victim === p || !p.alive) return -ENOMEM;
      from += r.done;
    }
  }
  return 0;
}

/**
 * The populate a call leaves to its end: mmap's mm_populate(), mlock's and
 * mlockall's __mm_populate(), madvise_populate(). Run in one go it is
 * `then(run(start, end))`; run in steps (a REPL looking for Ctrl-C between
 * them), `run` covers [start, end) piece by piece, each piece what the
 * call's loop would do there, so the steps do what one go does.
 */
export interface DeferredPopulate {
  /** The process whose pages are populated. */
  readonly p: Process;
  /** The range's first byte. */
  readonly start: number;
  /** The byte after the range. */
  readonly end: number;
  /** Populates [from, to) as the call's loop does: 0 or -errno. */
  readonly run: (from: number, to: number) => number;
  /** Whether an error ends the populate (every caller but mlockall's, which ignores them). */
  readonly stopOnError: boolean;
  /** The call's result given the populate's: 0, -errno, or -EINTR when it was stopped. */
  readonly then: (err: number) => number;
  /** The mmap lock as the call held it there (each step holds it the same way). */
  readonly writeLocked: boolean;
}

/**
 * Where a call that populates leaves its populate when a client asked to
 * run it in steps ({@link populateThen}); see lib/stepped_syscall.ts.
 */
export interface PopulateDeferral {
  /** The populate the call left, once it reached it. */
  job: DeferredPopulate | null;
}

/**
 * A call's populate of [start, end), then its result: in one go, or, when
 * the machine's {@link PopulateDeferral} is set, left there for the client
 * to run in steps ({@link PopulateRun}), the value returned here then being
 * replaced by the one the steps end with.
 */
export function populateThen(
  p: Process,
  start: number,
  end: number,
  stopOnError: boolean,
  run: (from: number, to: number) => number,
  then: (err: number) => number,
): number {
  const deferral = p.machine.populateDeferral;
  if (deferral === null || start >= end) return then(run(start, end));
  const writeLocked = p.mm.mmapLock.writer;
  deferral.job = { p, start, end, run, stopOnError, then, writeLocked };
  return then(0);
}

/** Bytes of [from, to) that VMAs cover. */
function mappedIn(mm: Mm, from: number, to: number): number {
  let n = 0;
  for (let v = mm.vmas.find(from); v !== null && v.start < to; v = v.next) {
    n += Math.min(v.end, to) - Math.max(v.start, from);
  }
  return n;
}

/**
 * A deferred populate run in steps of at most `bytes` of mapped memory
 * each; between two steps the machine is consistent (each step is whole
 * pages faulted in, drained to the LRU). {@link stop} ends it where it is,
 * as GUP ends when a fatal signal is pending (mm/gup.c __get_user_pages:
 * `if (fatal_signal_pending(current)) return i ? i : -EINTR`): the call then
 * ends as it does on -EINTR from there (madvise_populate() returns -EINTR,
 * do_mlock() -EINTR through __mlock_posix_error_return(), mm_populate()'s
 * callers, mmap and mlockall, ignore it).
 */
export class PopulateRun {
  /** The next address to populate. */
  private at: number;
  private err = 0;
  private over = false;
  /** Mapped bytes of the range done so far. */
  done = 0;
  /** Mapped bytes in the whole range. */
  readonly total: number;

  /** Steps `job`, the populate a call left (see {@link populateThen}). */
  constructor(private readonly job: DeferredPopulate) {
    this.at = job.start;
    this.total = mappedIn(job.p.mm, job.start, job.end);
  }

  /** Whether the populate is over (done, failed, stopped, or its process died). */
  get finished(): boolean {
    return this.over;
  }

  /** Runs the next step; returns whether the populate is over. */
  step(bytes: number): boolean {
    const { p, end } = this.job;
    if (this.over) return true;
    if (!p.alive) return (this.over = true);
    const v = p.mm.vmas.find(this.at);
    if (v === null || v.start >= end) return this.piece(end);
    // A gap goes with the step that reaches it: the call's loop says what a gap means.
    if (v.start > this.at && this.piece(v.start)) return true;
    return this.piece(Math.min(end, this.at + bytes));
  }

  /** Runs the call's loop over [at, to), under the lock the call held. */
  private piece(to: number): boolean {
    const mm = this.job.p.mm;
    const run = () => this.job.run(this.at, to);
    const err = this.job.writeLocked ? withMmapWriteLock(mm, run) : withMmapReadLock(mm, run);
    this.done += mappedIn(mm, this.at, to);
    this.at = to;
    if (err !== 0 && this.job.stopOnError) {
      this.err = err;
      this.over = true;
    }
    if (to >= this.job.end) this.over = true;
    return this.over;
  }

  /** Stops here, as a pending fatal signal stops GUP: the rest is -EINTR. */
  stop(): void {
    if (this.over) return;
    this.over = true;
    this.err = -EINTR;
  }

  /** The call's result: run the steps (or {@link stop}) first. */
  result(): number {
    if (!this.over) throw new Error("PopulateRun.result() before the populate is over");
    return this.job.then(this.err);
  }
}
