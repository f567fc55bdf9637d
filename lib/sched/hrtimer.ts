/**
 * The event queue on the virtual clock (compare kernel/time/hrtimer.c): a
 * timer fires a callback when the clock reaches its expiry. Timers expiring
 * at the same nanosecond fire in the order they were started, so the same
 * commands always give the same interleaving. Timers now; I/O and DMA
 * completions are queued the same way.
 * @module
 */

import type { VirtualClock } from "../util/clock.ts";

/** One armed timer (struct hrtimer). */
export interface HrTimer {
  /** Absolute expiry on the virtual clock, in ns. */
  readonly expires: number;
  /** Start order: the tie-break between equal expiries. */
  readonly seq: number;
  /** What it does when it fires (hrtimer_wakeup for a sleeper). */
  readonly fn: () => void;
  /** What it is for, for views (`nanosleep 3`). */
  readonly what: string;
}

/** The armed timers, soonest first. */
export class TimerQueue {
  private readonly timers: HrTimer[] = [];
  private nextSeq = 0;

  /** An empty queue that fires timers against `clock`. */
  constructor(private readonly clock: VirtualClock) {}

  /** hrtimer_start(): arms a timer at an absolute time. */
  start(expires: number, what: string, fn: () => void): HrTimer {
    const t: HrTimer = { expires, seq: this.nextSeq++, fn, what };
    // Insert after every timer expiring at or before it (stable by seq).
    let lo = 0, hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timers[mid].expires <= expires) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, t);
    return t;
  }

  /** hrtimer_cancel(): false if it was not armed (fired or cancelled). */
  cancel(t: HrTimer): boolean {
    const i = this.timers.indexOf(t);
    if (i < 0) return false;
    this.timers.splice(i, 1);
    return true;
  }

  /** The next timer to fire, if any. */
  get next(): HrTimer | undefined {
    return this.timers[0];
  }

  /** The armed timers, soonest first. */
  get armed(): readonly HrTimer[] {
    return this.timers;
  }

  /**
   * Fires the first timer if it has expired by `ns`, first moving the clock
   * to its expiry; returns whether one fired.
   */
  fireOne(ns: number): boolean {
    const t = this.timers[0];
    if (t === undefined || t.expires > ns) return false;
    this.timers.shift();
    if (this.clock.ns < t.expires) this.clock.ns = t.expires;
    t.fn();
    return true;
  }
}
