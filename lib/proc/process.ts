/**
 * A process: pid, an mm, an fd table, signal dispositions and an exit
 * state (compare `struct task_struct` + `struct files_struct` +
 * `struct sighand_struct`), the thread group of its {@link Task}s: they share
 * the mm, the files and the dispositions; the first one (tid = pid) leads.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Mm } from "../mm/mm.ts";
import type { OpenFile } from "../fs/file.ts";
import type { SigInfo } from "../abi/signal.ts";
import type { ExitStatus } from "../events.ts";
import { Task } from "./task.ts";
import { FilesStruct } from "./files.ts";
import { defaultRlimits } from "./resource.ts";

export type { ExitStatus };

/**
 * What happens when a fault signal arrives:
 * - `catch`: a handler reports it and the faulting access is abandoned
 *   (as a SIGSEGV handler that siglongjmp()s would) — the REPL default;
 * - `default`: SIG_DFL, the process dies of the signal;
 * - `ignore`: SIG_IGN; for a synchronous fault the kernel forces SIG_DFL
 *   (force_sig_fault), so the process dies all the same.
 */
export type Disposition = "catch" | "default" | "ignore";

/** A process's life: running until exit, then a zombie until reaped. */
export type ProcessState = "running" | "zombie";

/** A thread group and what it shares: struct task_struct's group parts, struct signal_struct, the mm and the fd table. */
export class Process {
  /** Whether the process runs or is a zombie (EXIT_ZOMBIE). */
  state: ProcessState = "running";
  /** How the process ended (exit code or signal); null while it runs. */
  exitStatus: ExitStatus | null = null;
  /** The fd table, this process's own or shared by clone(CLONE_FILES). */
  files: FilesStruct = new FilesStruct();
  /** Per-signal dispositions set by signal(); unset signals use the machine default. */
  readonly dispositions: Map<number, Disposition> = new Map();
  /** Signals delivered to this process, newest last. */
  readonly signals: SigInfo[] = [];
  /** Pids of the children forked, in fork order. */
  readonly children: number[] = [];
  /** The thread group, leader first, then in tid order (exited non-leaders are gone). */
  readonly threads: Task[] = [];
  /** signal->rlim: [rlim_cur, rlim_max] per RLIMIT_* (see resource.ts; mm keeps four soft ones). */
  rlim: [bigint, bigint][] = defaultRlimits();

  /** Makes the process and its leader task (tid = pid) and registers the task with the machine. */
  constructor(
    readonly machine: Machine,
    readonly pid: number,
    public ppid: number,
    public comm: string,
    public mm: Mm,
  ) {
    const leader = new Task(pid, this);
    this.threads.push(leader);
    machine.tasks.set(pid, leader);
  }

  /** fd table: index = fd (files.fds). */
  get fds(): (OpenFile | undefined)[] {
    return this.files.fds;
  }

  /** files_struct close_on_exec: fds marked FD_CLOEXEC (O_CLOEXEC, FIOCLEX). */
  get closeOnExec(): Set<number> {
    return this.files.closeOnExec;
  }

  /** The group leader (tid = pid). */
  get leader(): Task {
    return this.threads[0];
  }

  /** The threads still running or asleep. */
  get liveThreads(): Task[] {
    return this.threads.filter((t) => t.alive);
  }

  /** The disposition of a signal (defaults: SIGSEGV/SIGBUS caught, as the REPL wants). */
  disposition(signo: number): Disposition {
    return this.dispositions.get(signo) ?? this.machine.defaultDisposition;
  }

  /** Whether the process has not exited (not a zombie). */
  get alive(): boolean {
    return this.state === "running";
  }

  /** The lowest free fd (get_unused_fd_flags). */
  allocFd(file: OpenFile): number {
    let fd = 0;
    while (this.fds[fd] !== undefined) fd++;
    this.fds[fd] = file;
    return fd;
  }
}
