/**
 * Wait queues (compare kernel/sched/wait.c): a list of tasks sleeping until
 * something happens. Whoever owns the event owns the queue: a timer its
 * sleeper's, a userfaultfd context its fault_pending_wqh. A task sleeps on
 * at most one queue at a time, and says where it sleeps with a wait channel
 * (the kernel function, as `ps -o wchan` prints it: `hrtimer_nanosleep`,
 * `handle_userfault`).
 *
 * Pure: no module state; the scheduler (./core.ts) moves woken tasks to the
 * run queue.
 * @module
 */

import type { Task } from "../proc/task.ts";

/**
 * Thrown by a kernel path that must sleep in the middle of a syscall (a
 * read with nothing to read, a kernel access waiting for a userfault): the
 * call unwinds, its thread sleeps on `wq` in `wchan`, and once woken the
 * call runs again from the start (lib/syscalls.ts), as a restarted call.
 * The thrower has changed nothing it would not change again.
 */
export class WouldBlock extends Error {
  /** The thread will sleep on `wq` in wait channel `wchan`; `what` says what it waits for. */
  constructor(readonly wq: WaitQueue, readonly wchan: string, what: string) {
    super(what);
  }
}

/** A queue of sleeping tasks, oldest first (wake order is FIFO, as __wake_up_common). */
export class WaitQueue {
  /** The sleeping tasks, oldest first. */
  readonly waiters: Task[] = [];

  /** `what` names the queue's owner in views and errors (`timer`, `uffd 3`). */
  constructor(readonly what: string) {}

  /** add_wait_queue(). Precondition: `t` is on no other queue. */
  add(t: Task): void {
    if (t.waitQueue !== null) {
      throw new Error(`task ${t.tid} already sleeps on ${t.waitQueue.what}`);
    }
    this.waiters.push(t);
    t.waitQueue = this;
  }

  /** remove_wait_queue(); a task not on this queue is left alone. */
  remove(t: Task): void {
    const i = this.waiters.indexOf(t);
    if (i >= 0) this.waiters.splice(i, 1);
    if (t.waitQueue === this) t.waitQueue = null;
  }

  /** True when no task sleeps here (waitqueue_active() is false). */
  get empty(): boolean {
    return this.waiters.length === 0;
  }
}
