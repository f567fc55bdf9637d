/**
 * A task (struct task_struct): one thread of a process. The process is the
 * thread group (struct signal_struct + the shared mm, files and sighand);
 * its first task, the group leader, has tid = pid, and every other task's
 * tid comes from the same pid space (alloc_pid), so tids and pids never
 * collide.
 *
 * States, as `ps` prints them: R (running or runnable), S (interruptible
 * sleep, TASK_INTERRUPTIBLE), D (uninterruptible, TASK_UNINTERRUPTIBLE), Z
 * (exited; only a group leader stays visible as a zombie, other threads are
 * reaped at once: kernel/exit.c exit_notify() autoreaps them).
 * @module
 */

import type { Process } from "./process.ts";
import type { WaitQueue } from "../sched/wait.ts";
import type { BlockedCall } from "../sched/core.ts";

/** A thread's state: TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, EXIT_ZOMBIE. */
export type TaskState = "running" | "sleeping" | "disk" | "zombie";

/** ps's STAT letter of a task state. */
export const STAT_LETTER: Readonly<Record<TaskState, "R" | "S" | "D" | "Z">> = {
  running: "R",
  sleeping: "S",
  disk: "D",
  zombie: "Z",
};

/** A thread's wait in handle_userfault(). */
export interface TaskUserfault {
  /** The context's fault queue (ctx->fault_wqh). */
  readonly wq: WaitQueue;
  /** The context (its id is its anon inode number). */
  readonly ctx: { readonly id: number; readonly released: boolean };
  /** The fault address as the message carries it. */
  readonly address: number;
  /** Forgets the unread message of this wait (the thread died or was woken). */
  readonly drop: () => void;
}

/** struct task_struct: one thread of a {@link Process}. */
export class Task {
  /** The thread's scheduler state. */
  state: TaskState = "running";
  /** Where it sleeps: the kernel function (`hrtimer_nanosleep`), or null. */
  wchan: string | null = null;
  /** The wait queue it sleeps on, or null. */
  waitQueue: WaitQueue | null = null;
  /**
   * Where it waits in handle_userfault(): the context's fault queue and the
   * fault address (uwq->msg.arg.pagefault.address), or null.
   */
  userfault: TaskUserfault | null = null;
  /**
   * The non-cooperative userfaultfd events (UNMAP, REMOVE) this thread's
   * call sent: it waits at the end of the call until the handler has read
   * each (fs/userfaultfd.c userfaultfd_event_wait_completion()). `done`
   * says the message was read or its context released.
   */
  uffdEvents: {
    readonly wq: WaitQueue;
    readonly done: () => boolean;
    readonly drop: () => void;
  }[] = [];
  /** The call it is blocked in, or null. */
  blocked: BlockedCall | null = null;
  /**
   * A caught signal woke this thread from an interruptible wait that
   * checks signal_pending() (lib/proc/signal.ts): the call returns EINTR.
   * 0 when none.
   */
  sigPending = 0;
  /** CLONE_CHILD_CLEARTID: cleared (and futex-woken) at exit (mm_release). */
  clearChildTid = 0n;
  /** CLONE_SETTLS: the thread pointer (fsbase). */
  tls = 0n;
  /** The exit code of a thread that called exit() (SYS_exit). */
  exitCode: number | null = null;

  /** A thread `tid` of the thread group `group`. */
  constructor(readonly tid: number, readonly group: Process) {}

  /** Whether the thread has not exited. */
  get alive(): boolean {
    return this.state !== "zombie";
  }

  /** Whether it is the group leader (tid == tgid). */
  get leader(): boolean {
    return this.tid === this.group.pid;
  }
}
