/**
 * MMU notifiers (mm/mmu_notifier.c): secondary MMUs (devices, HMM mirrors,
 * KVM) subscribe to an mm and are told before and after every change that
 * removes or downgrades PTEs. mmlab's core calls {@link Mm.invalidate}
 * around each such change; drivers and HMM mirrors subscribe here.
 * @module
 */

import { EINVAL, EOVERFLOW } from "../abi/errno.ts";
import { WaitQueue, WouldBlock } from "../sched/wait.ts";
import type { Mm } from "./mm.ts";

/** enum mmu_notifier_event (include/linux/mmu_notifier.h). */
export type MmuNotifyEvent =
  | "UNMAP"
  | "CLEAR"
  | "PROTECTION_VMA"
  | "PROTECTION_PAGE"
  | "SOFT_DIRTY"
  | "RELEASE"
  | "MIGRATE"
  | "EXCLUSIVE";

/** `struct mmu_notifier_range`: what is being invalidated and why. */
export interface MmuNotifierRange {
  /** Start of the range. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** Why the range changes (range->event). */
  event: MmuNotifyEvent;
}

/** A subscription (struct mmu_notifier / mmu_interval_notifier). */
export interface MmuNotifier {
  /** Only ranges overlapping [start, end) are delivered; omit for all. */
  readonly start?: number;
  /** End of the range of interest (exclusive). */
  readonly end?: number;
  /** ->invalidate_range_start: the PTEs in `range` are about to change. */
  invalidateStart?(range: MmuNotifierRange): void;
  /** ->invalidate_range_end: the change to `range` is done. */
  invalidateEnd?(range: MmuNotifierRange): void;
  /** The mm is being torn down (exit_mmap). */
  release?(): void;
}

// ---------------------------------------------------------------------------
// Interval notifiers (mm/mmu_notifier.c, 5.5+): a subscription covers
// [start, last] of one mm and carries a sequence number; readers sample it
// before collecting pages and check it again before programming their
// device (the collision-retry protocol). The per-mm state:
//
//   invalidate_seq            2, 4, ...  even: no invalidation overlaps a
//                             subscription; odd: one does (it stays odd
//                             until active_invalidate_ranges reaches 0)
//   active_invalidate_ranges  invalidate_range_start calls not yet ended,
//                             overlapping a subscription or not
//   itree                     the subscriptions, by start
//   deferred_list             inserts/removes asked for while odd
//
// A subscription's own invalidate_seq: global - 1 at insert (odd, never
// equal to the global value), then whatever its invalidate callback passes
// to mmu_interval_set_seq() (the odd cur_seq of that invalidation).
// ---------------------------------------------------------------------------

/** The top of the 64-bit address space: mn_itree_release()'s range end (ULONG_MAX + 1). */
export const RANGE_ALL_END = 2 ** 64;

/** `struct mmu_interval_notifier_ops`. */
export interface MmuIntervalNotifierOps {
  /**
   * ->invalidate(sub, range, cur_seq): the driver takes its lock, calls
   * {@link mmuIntervalSetSeq}(sub, curSeq), drops its device mappings of the
   * range and returns true. False is allowed only for a non-blockable
   * range (the OOM reaper), which mmlab never issues.
   */
  invalidate(sub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean;
}

/** `struct mmu_interval_notifier`: one subscription over [start, last]. */
export class MmuIntervalNotifier {
  /** interval_sub->invalidate_seq. */
  invalidateSeq = 0;
  /** In the interval tree (false while an insert is deferred, and after removal). */
  inTree = false;
  /** How many invalidations reached it (for views). */
  invalidations = 0;
  /** A number for views and the REPL (1, 2, ... per mm). */
  id = 0;
  /** mmu_interval_notifier_insert()'s subscription of `ops` to [start, last] of `mm`. */
  constructor(
    readonly mm: Mm,
    readonly start: number,
    /** The last byte covered (interval_tree.last: start + length - 1). */
    readonly last: number,
    readonly ops: MmuIntervalNotifierOps,
    /** Who subscribed, for views (`odp mr 0x1234`, `repl`). */
    readonly owner: string,
  ) {}
}

/**
 * `struct mmu_notifier_subscriptions` (mm->notifier_subscriptions) for the
 * interval tree. It sits in `mm.notifiers` as one more subscriber that
 * wants every range, so that every path that changes PTEs and already
 * brackets the change with Mm.invalidateStart/End reaches it: munmap
 * (UNMAP), mremap (UNMAP), mprotect (PROTECTION_VMA), MADV_DONTNEED and
 * unmap_mapping_range (CLEAR), fork's COW write-protect (PROTECTION_PAGE),
 * COW faults (CLEAR), and exit_mmap (RELEASE, through release()).
 */
export class MmuNotifierSubscriptions implements MmuNotifier {
  /** subscriptions->invalidate_seq: 2 at allocation (__mmu_notifier_register). */
  invalidateSeq = 2;
  /** subscriptions->active_invalidate_ranges. */
  activeInvalidateRanges = 0;
  /** The interval tree, ordered by start (then insertion). */
  readonly itree: MmuIntervalNotifier[] = [];
  /** subscriptions->deferred_list: true = insert, false = remove. */
  readonly deferred: { sub: MmuIntervalNotifier; insert: boolean }[] = [];
  /** subscriptions->wq: mmu_interval_read_begin() and remove() sleep here. */
  readonly wq: WaitQueue;
  /** Invalidations that overlapped a subscription (made the sequence odd), for views. */
  oddRounds = 0;
  /** The last subscription id handed out. */
  lastId = 0;

  /** The subscriptions of `mm` (allocated on the first interval insert). */
  constructor(readonly mm: Mm) {
    this.wq = new WaitQueue(`mmu_notifier mm ${mm.id}`);
  }

  /** mn_itree_is_invalidating(): the sequence is odd. */
  get invalidating(): boolean {
    return (this.invalidateSeq & 1) === 1;
  }

  /** Subscriptions overlapping [start, end). */
  overlapping(start: number, end: number): MmuIntervalNotifier[] {
    return this.itree.filter((s) => s.start < end && s.last >= start);
  }

  /**
   * mn_itree_invalidate() from __mmu_notifier_invalidate_range_start():
   * mn_itree_inv_start_range() counts the range active and, when a
   * subscription overlaps it, makes the sequence odd; each overlapping
   * subscription's ->invalidate then runs with that odd cur_seq.
   */
  invalidateStart(range: MmuNotifierRange): void {
    this.activeInvalidateRanges++;
    const subs = this.overlapping(range.start, range.end);
    if (subs.length === 0) return;
    if (!this.invalidating) this.oddRounds++;
    this.invalidateSeq |= 1;
    const curSeq = this.invalidateSeq;
    const tr = this.mm.machine.trace;
    for (const s of subs) {
      if (!s.inTree) continue; // removed by an earlier callback of this round
      s.invalidations++;
      tr?.step(
        "mmu_notifier_invalidate_range_start → mn_itree_invalidate → ops->invalidate",
        `MMU_NOTIFY_${range.event} [0x${range.start.toString(16)}, 0x${
          range.end.toString(16)
        }) hits interval ${s.id} (${s.owner}) [0x${s.start.toString(16)}, 0x${
          s.last.toString(16)
        }]: cur_seq ${curSeq}`,
      );
      s.ops.invalidate(s, range, curSeq);
    }
  }

  /** __mmu_notifier_invalidate_range_end() -> mn_itree_inv_end(). */
  invalidateEnd(_range: MmuNotifierRange): void {
    this.invEnd();
  }

  /**
   * mn_itree_inv_end(): the last active range to end makes an odd sequence
   * even again, applies the deferred inserts and removes, and wakes the
   * readers sleeping in mmu_interval_read_begin().
   */
  invEnd(): void {
    this.activeInvalidateRanges--;
    if (this.activeInvalidateRanges > 0 || !this.invalidating) return;
    this.invalidateSeq++;
    this.mm.machine.trace?.step(
      "mmu_notifier_invalidate_range_end → mn_itree_inv_end",
      `the last active range ended: invalidate_seq ${this.invalidateSeq} (even), readers woken`,
    );
    for (const { sub, insert } of this.deferred.splice(0)) {
      if (insert) treeInsert(this, sub);
      else treeRemove(this, sub);
    }
    this.mm.machine.sched.wakeAll(this.wq);
  }

  /**
   * mn_itree_release() from exit_mmap(): every subscription is invalidated
   * over the whole address space with MMU_NOTIFY_RELEASE (they stay
   * subscribed: their owners remove them).
   */
  release(): void {
    const range: MmuNotifierRange = { start: 0, end: RANGE_ALL_END, event: "RELEASE" };
    this.invalidateStart(range);
    this.invEnd();
  }
}

function treeInsert(subs: MmuNotifierSubscriptions, sub: MmuIntervalNotifier): void {
  let i = subs.itree.length;
  while (i > 0 && subs.itree[i - 1].start > sub.start) i--;
  subs.itree.splice(i, 0, sub);
  sub.inTree = true;
}

function treeRemove(subs: MmuNotifierSubscriptions, sub: MmuIntervalNotifier): void {
  const i = subs.itree.indexOf(sub);
  if (i >= 0) subs.itree.splice(i, 1);
  sub.inTree = false;
}

/**
 * mm->notifier_subscriptions, allocated on first use (mmu_notifier_register
 * takes the mmap write lock to install it) and added to `mm.notifiers`.
 */
export function mmNotifierSubscriptions(mm: Mm): MmuNotifierSubscriptions {
  const found = mm.notifiers.find((n) => n instanceof MmuNotifierSubscriptions);
  if (found !== undefined) return found as MmuNotifierSubscriptions;
  const subs = new MmuNotifierSubscriptions(mm);
  mm.notifiers.unshift(subs); // the kernel walks the itree before the hlist
  return subs;
}

/** The subscriptions of `mm`, or null when nothing ever subscribed an interval. */
export function findNotifierSubscriptions(mm: Mm): MmuNotifierSubscriptions | null {
  const found = mm.notifiers.find((n) => n instanceof MmuNotifierSubscriptions);
  return (found as MmuNotifierSubscriptions | undefined) ?? null;
}

/**
 * mmu_interval_notifier_insert(sub, mm, start, length, ops): -EOVERFLOW for
 * a zero length or one that wraps, -EINVAL for an mm with no users
 * (the caller must hold mmget()). While an invalidation is active the
 * insert is deferred to its end when the sequence is odd (the new
 * subscription starts at that odd value: a read_begin waits for the end)
 * or made at once with the sequence forced odd; otherwise the subscription
 * starts at invalidate_seq - 1.
 */
export function mmuIntervalNotifierInsert(
  mm: Mm,
  start: number,
  length: number,
  ops: MmuIntervalNotifierOps,
  owner: string,
): MmuIntervalNotifier | number {
  const last = start + length - 1;
  if (length === 0 || last >= RANGE_ALL_END || !Number.isSafeInteger(start)) return -EOVERFLOW;
  if (mm.users <= 0) return -EINVAL;
  const subs = mmNotifierSubscriptions(mm);
  const sub = new MmuIntervalNotifier(mm, start, last, ops, owner);
  sub.id = ++subs.lastId;
  if (subs.activeInvalidateRanges > 0) {
    if (subs.invalidating) subs.deferred.push({ sub, insert: true });
    else {
      subs.invalidateSeq |= 1;
      treeInsert(subs, sub);
    }
    sub.invalidateSeq = subs.invalidateSeq;
  } else {
    sub.invalidateSeq = subs.invalidateSeq - 1;
    treeInsert(subs, sub);
  }
  return sub;
}

/**
 * mmu_interval_notifier_remove(): out of the tree at once, or, while an
 * invalidation is running, at its end (the kernel then waits for the
 * sequence to move; mmlab's invalidations end before anyone else runs).
 */
export function mmuIntervalNotifierRemove(sub: MmuIntervalNotifier): void {
  const subs = findNotifierSubscriptions(sub.mm);
  if (subs === null) return;
  if (subs.invalidating) {
    const d = subs.deferred.findIndex((e) => e.sub === sub);
    if (d >= 0) subs.deferred.splice(d, 1);
    if (sub.inTree) subs.deferred.push({ sub, insert: false });
    return;
  }
  treeRemove(subs, sub);
}

/**
 * mmu_interval_read_begin(): the sequence to check against later. When an
 * invalidation overlapping this subscription is running (its sequence is
 * the global odd value) the reader sleeps until mn_itree_inv_end(): here
 * it throws {@link WouldBlock} on the subscriptions' wait queue, and the
 * caller restarts from the top once woken.
 */
export function mmuIntervalReadBegin(sub: MmuIntervalNotifier): number {
  const subs = findNotifierSubscriptions(sub.mm)!;
  const seq = sub.invalidateSeq;
  const tr = sub.mm.machine.trace;
  if (seq === subs.invalidateSeq) {
    tr?.step(
      "mmu_interval_read_begin",
      `interval ${sub.id}: an invalidation is running (seq ${seq} odd): sleeps until it ends`,
    );
    throw new WouldBlock(subs.wq, "mmu_interval_read_begin", "an invalidation is running");
  }
  tr?.step("mmu_interval_read_begin", `interval ${sub.id}: seq ${seq}`);
  return seq;
}

/** mmu_interval_read_retry(): an invalidation hit the subscription since read_begin. */
export function mmuIntervalReadRetry(sub: MmuIntervalNotifier, seq: number): boolean {
  const stale = sub.invalidateSeq !== seq;
  sub.mm.machine.trace?.step(
    "mmu_interval_read_retry",
    stale
      ? `interval ${sub.id}: seq ${seq} is now ${sub.invalidateSeq}: stale, start over`
      : `interval ${sub.id}: seq ${seq} unchanged: the result may be used`,
  );
  return stale;
}

/** mmu_interval_check_retry(): the same test without the driver lock (hmm_range_fault). */
export function mmuIntervalCheckRetry(sub: MmuIntervalNotifier, seq: number): boolean {
  return sub.invalidateSeq !== seq;
}

/** mmu_interval_set_seq(): called by ->invalidate under the driver lock. */
export function mmuIntervalSetSeq(sub: MmuIntervalNotifier, curSeq: number): void {
  sub.invalidateSeq = curSeq;
}
