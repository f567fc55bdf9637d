/**
 * A syscall whose populate runs in steps, so that a client (the REPL) can
 * look for Ctrl-C between two steps and stop it at a consistent point:
 * MAP_POPULATE and MAP_LOCKED (mmap), mlock, mlock2, mlockall(MCL_CURRENT),
 * MADV_POPULATE_READ/WRITE. The call runs up to its populate as always; the
 * populate is left on the machine (lib/mm/populate.ts populateThen) and
 * handed back as a {@link SteppedCall}; its steps do what one go does.
 *
 * What a stop means follows the kernel's GUP: a Ctrl-C is SIGINT, which,
 * unhandled, is fatal; __get_user_pages() checks fatal_signal_pending()
 * before each page and ends with -EINTR. mmlab stops the populate there
 * but keeps the process (the session goes on), so the call's result is the
 * one the kernel computes on -EINTR: mmap returns its address (the mapping
 * stays, mm_populate() ignores errors), mlockall 0, mlock and mlock2 -EINTR
 * (the range stays locked, as after any populate failure), madvise -EINTR.
 * @module
 */

import { type DeferredPopulate, PopulateRun } from "./mm/populate.ts";
import type { Task } from "./proc/task.ts";
import { syscallIn, type SysOut } from "./syscalls.ts";

/** A call stopped at its populate: step it, maybe stop it, then finish it. */
export interface SteppedCall {
  /** The populate: progress (done, total) and the steps. */
  readonly populate: PopulateRun;
  /** Runs one step of at most `bytes` of mapped memory; returns whether it is over. */
  step(bytes: number): boolean;
  /** Stops the populate where it is (Ctrl-C): the call ends as on -EINTR. */
  stop(): void;
  /** The call's result, once the populate is over or stopped. */
  finish(): SysOut;
}

/**
 * Runs `name` in thread `t` as {@link syscallIn} does, except that a
 * populate it reaches is handed back to run in steps. A call that
 * populates nothing, or with `trace on` (whose lines follow the call in
 * order), runs in one go and its result comes back at once.
 */
export function syscallStepped(t: Task, name: string, args: unknown[]): SysOut | SteppedCall {
  const m = t.group.machine;
  if (m.trace !== null) return syscallIn(t, name, args);
  const deferral: { job: DeferredPopulate | null } = { job: null };
  m.populateDeferral = deferral;
  let out: SysOut;
  try {
    out = syscallIn(t, name, args);
  } finally {
    m.populateDeferral = null;
  }
  const job = deferral.job;
  if (job === null) return out;
  const run = new PopulateRun(job);
  if (out.pending !== undefined) {
    // The call waits (for userfaultfd events to be read): its populate runs now, in one go.
    m.runIn(t, () => {
      while (!run.step(Number.MAX_SAFE_INTEGER));
    });
    return out;
  }
  return {
    populate: run,
    step: (bytes) => m.runIn(t, () => run.step(bytes)),
    stop: () => run.stop(),
    finish: () => {
      const ret = m.runIn(t, () => run.result());
      // Timers the populate's faults let expire fire now, as after any call.
      m.sched.tick();
      return { ret };
    },
  };
}
