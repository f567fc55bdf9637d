/**
 * The scheduler (compare kernel/sched/core.c): which task runs next. mmlab
 * has one CPU and the REPL drives it: a command runs in the task it names
 * until the command's call returns or the task sleeps. A task put to sleep
 * ({@link Scheduler.sleep}) gives the CPU back at once; when it is woken
 * ({@link Scheduler.wake}) it joins the run queue, and {@link Scheduler.run}
 * lets each runnable task finish its call in wake order (FIFO), reporting a
 * `resume` event. Time passes only through the virtual clock: timers fire
 * in (expiry, start order), so the same input always gives the same
 * interleaving.
 *
 * The wait/wake API a blocking call uses (a userfault will, too):
 * ```
 * const token = m.sched.sleep(task, wq, "handle_userfault", "S", {
 *   name: "read", finish: () => ({ ret: 0 }), cancel: () => {},
 * });
 * // ... later, from UFFDIO_COPY/UFFDIO_WAKE:
 * m.sched.wakeAll(wq);
 * ```
 * @module
 */

import type { EventLog } from "../events.ts";
import type { VirtualClock } from "../util/clock.ts";
import type { Task } from "../proc/task.ts";
import { TimerQueue } from "./hrtimer.ts";
import type { WaitQueue } from "./wait.ts";

/** What a call that blocked does when its task runs again (or dies first). */
export interface BlockedCall {
  /** The token the REPL's `<unfinished ...>` waits on. */
  readonly token: number;
  /** The syscall's name, for views. */
  readonly name: string;
  /**
   * The call's result once woken; or null after putting the task back to
   * sleep with `sleep(..., token)` (a fault retried that blocks again), so
   * the call keeps its token and ends once.
   */
  readonly finish: () => { ret: number; data?: Uint8Array } | null;
  /** Releases what the sleep holds (a timer) when the task dies asleep. */
  readonly cancel: () => void;
}

/** A task's sleep: TASK_INTERRUPTIBLE (S) or TASK_UNINTERRUPTIBLE (D). */
export type SleepState = "S" | "D";

/** The machine's scheduler: run queue, timers, blocked calls. */
export class Scheduler {
  /** Woken tasks waiting to finish their calls, in wake order. */
  readonly runqueue: Task[] = [];
  /** Every task asleep in a call (what `check` compares the tasks against). */
  readonly sleepers: Set<Task> = new Set();
  /** The armed hrtimers (nanosleep, timeouts), soonest first. */
  readonly timers: TimerQueue;
  private nextToken = 1;

  /** A scheduler on the machine's clock, reporting finished calls to `events` (`resume`). */
  constructor(private readonly clock: VirtualClock, private readonly events: EventLog) {
    this.timers = new TimerQueue(clock);
  }

  /**
   * Puts a running task to sleep on `wq` in `call` (set_current_state +
   * add_wait_queue + schedule). Returns the call's token: a new one, or
   * `token` for a call that sleeps again from its finish().
   * Precondition: `t` is running and on no queue.
   */
  sleep(
    t: Task,
    wq: WaitQueue,
    wchan: string,
    state: SleepState,
    call: Omit<BlockedCall, "token">,
    token: number = this.nextToken++,
  ): number {
    if (t.state !== "running") throw new Error(`task ${t.tid} is not running`);
    if (t.blocked !== null) throw new Error(`task ${t.tid} is already in a call`);
    wq.add(t);
    t.state = state === "S" ? "sleeping" : "disk";
    t.wchan = wchan;
    t.blocked = { token, name: call.name, finish: call.finish, cancel: call.cancel };
    this.sleepers.add(t);
    return token;
  }

  /** try_to_wake_up(): a sleeping task leaves its queue for the run queue. */
  wake(t: Task): void {
    if (t.state !== "sleeping" && t.state !== "disk") return;
    t.waitQueue?.remove(t);
    t.state = "running";
    t.wchan = null;
    this.sleepers.delete(t);
    this.runqueue.push(t);
  }

  /** wake_up_all(): every task on `wq`, oldest first. */
  wakeAll(wq: WaitQueue): number {
    return this.wakeIf(wq, () => true);
  }

  /**
   * __wake_up() with a key: the tasks on `wq` the test accepts, oldest
   * first (a userfaultfd wake matches each waiter's fault address against
   * the range: userfaultfd_wake_function). Returns how many woke.
   */
  wakeIf(wq: WaitQueue, test: (t: Task) => boolean): number {
    const ts = wq.waiters.filter(test);
    for (const t of ts) this.wake(t);
    return ts.length;
  }

  /**
   * Lets every runnable task finish its blocked call, in run-queue order,
   * each reporting a `resume` event with its result.
   */
  run(): void {
    while (this.runqueue.length > 0) {
      const t = this.runqueue.shift()!;
      const call = t.blocked;
      if (call === null || t.state !== "running") continue;
      t.blocked = null;
      const r = call.finish();
      if (r === null) {
        if (t.blocked === null) throw new Error(`task ${t.tid}: finish() neither ended nor slept`);
        continue; // asleep again, with the same token
      }
      this.events.emit({
        kind: "resume",
        pid: t.group.pid,
        tid: t.tid,
        token: call.token,
        call: call.name,
        ret: r.ret,
        ...(r.data !== undefined ? { data: r.data } : {}),
      });
    }
  }

  /** Fires the timers that are due on the clock now and runs what they woke. */
  tick(): void {
    const next = this.timers.next;
    if (next === undefined || next.expires > this.clock.ns) {
      if (this.runqueue.length > 0) this.run();
      return;
    }
    this.advanceTo(this.clock.ns);
  }

  /** Lets virtual time pass until `ns`, firing each timer on the way in order. */
  advanceTo(ns: number): void {
    this.run();
    while (this.timers.fireOne(ns)) this.run();
    if (this.clock.ns < ns) this.clock.ns = ns;
  }

  /**
   * A task dies while asleep (its group is killed or exits): it leaves its
   * queue and the run queue, its sleep is cancelled, and its call ends
   * without a result (strace's `<... NAME resumed> = ?`).
   */
  dropTask(t: Task): void {
    t.waitQueue?.remove(t);
    this.sleepers.delete(t);
    const i = this.runqueue.indexOf(t);
    if (i >= 0) this.runqueue.splice(i, 1);
    const call = t.blocked;
    t.blocked = null;
    t.wchan = null;
    if (call === null) return;
    call.cancel();
    this.events.emit({
      kind: "resume",
      pid: t.group.pid,
      tid: t.tid,
      token: call.token,
      call: call.name,
      ret: null,
    });
  }
}
