/**
 * What a REPL session runs its commands on: a backend. Two exist, the
 * emulated machine ({@link MachineBackend}) and the host kernel through
 * mmhost (repl/host/host_backend.ts); the differential runner feeds the
 * same lines to one session over each. The session owns the language
 * (parsing, variables, `@` targets, formatting); a backend owns processes,
 * syscalls, CPU accesses and what it reports happened.
 *
 * A call may finish after the line that started it (a thread blocked in a
 * userfault, an I/O completion): the backend then answers `pending` with a
 * token, and later reports a `resume` event carrying that token and the
 * result, which the session prints as strace does
 * (`<... read resumed>) = 5`).
 * @module
 */

import type { ExitStatus, Machine, SigInfo, SyscallSpec } from "../mod.ts";
import type { Value } from "./commands/types.ts";
import type { ProcInfo } from "./processes.ts";

/** A syscall's outcome as a backend reports it. */
export interface CallResult {
  /** The raw kernel result: >= 0, or -errno. */
  ret: number;
  /** Bytes handed back (pread's buffer, mincore's vector). */
  data?: Uint8Array;
  /** A remark printed after the result (the host: data it could not read back). */
  note?: string;
  /** The call has not finished: a later `resume` event with this token completes it. */
  pending?: number;
}

/** A CPU access: loads, stores, a fill, an instruction fetch. */
export type CpuOp =
  | { op: "read"; addr: bigint; len: number }
  | { op: "write"; addr: bigint; bytes: Uint8Array }
  | { op: "fill"; addr: bigint; value: number; len: number }
  | { op: "exec"; addr: bigint };

/** How far an access got; a fault's signal arrives as an event. */
export type CpuResult =
  | { done: number; bytes?: Uint8Array; faulted: boolean }
  /** The backend cannot make this access; the text says why. */
  | { unsupported: string }
  /**
   * The thread waits (in handle_userfault): `done` bytes got through first;
   * the access ends later with a `resume` event carrying `pending`.
   */
  | { pending: number; done: number; bytes?: Uint8Array; note: string };

/** What a backend reports happened, in order. */
export type SessionEvent =
  | { kind: "signal"; pid: number; info: SigInfo }
  | { kind: "exit"; pid: number; status: ExitStatus }
  /** `gone`: the thread died before the call finished (strace's `= ?`). */
  | { kind: "resume"; pid: number; token: number; result: CallResult; gone?: boolean };

/**
 * What a session knows of one thread: `pid` is its thread group (the
 * process), `tid` its own id (the leader's is the pid).
 */
export interface TaskInfo {
  tid: number;
  pid: number;
  alive: boolean;
  /** The kernel function it sleeps in, when it is blocked in a call. */
  wchan?: string;
}

/** The views every backend can show. */
export type ProcView = "maps" | "smaps" | "pagemap";

/** One place commands run. */
export interface Backend {
  /** `mmlab` or `host`; the second opens every line it does not run with {@link NOT_RUN}. */
  readonly name: string;
  /** The emulated machine; commands that read its state run only where there is one. */
  readonly machine: Machine | undefined;
  /** The policies constants depend on (the host: none). */
  policies(): Readonly<Record<string, string>>;
  /** Every process ever created, in pid order. */
  processes(): ProcInfo[];
  /**
   * Every thread the backend runs, in tid order (exited non-leader threads
   * are gone); a backend without threads leaves it out (each process is
   * then its one thread). The `pid` of {@link syscall} and {@link access}
   * is a tid.
   */
  tasks?(): TaskInfo[];
  /** Runs a syscall in thread (or process) `pid` with the evaluated arguments. */
  syscall(pid: number, spec: SyscallSpec, args: readonly Value[]): Promise<CallResult>;
  /** Makes a CPU access in process `pid`. */
  access(pid: number, op: CpuOp): Promise<CpuResult>;
  /**
   * /proc/PID/maps or smaps, whole or the VMAs meeting [start, end), where
   * the backend has no emulated machine whose view commands would run.
   */
  view?(pid: number, name: ProcView, range?: readonly [number, number]): Promise<string[]>;
  /** What happened since the last call, oldest first. */
  takeEvents(): SessionEvent[];
  /**
   * Lets virtual time pass (the REPL user waits): until `ns` nanoseconds
   * from now, or when undefined, until the next timer fires. Returns the
   * nanoseconds that passed, or null when nothing is pending. The host
   * answers later: it waits for the real calls that finish by then.
   */
  passTime?(ns: number | undefined): number | null | Promise<number | null>;
}

/** The prefix of a line saying a backend did not run something; such a step is not compared. */
export const NOT_RUN = "(host: ";

/** `(host: WHAT is not run on the host)` */
export function notRunLine(what: string): string {
  return `${NOT_RUN}${what} is not run on the host)`;
}
