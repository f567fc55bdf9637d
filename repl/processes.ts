/**
 * How a session line names and reaches processes, shared by the REPL
 * session and the host-kernel session so both read a command file alike:
 * resolving `@PID`/`@var`, the error for a dead process, where the REPL
 * goes when the current process dies, and turning anything thrown into a
 * REPL error.
 * @module
 */

import { signalName, WouldBlock } from "../mod.ts";
import { ReplError } from "./errors.ts";
import type { Target } from "./parser.ts";
import { didYouMean } from "./suggest.ts";

/** What a session knows of one of its processes. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  alive: boolean;
  status?: { signal?: number; code?: number } | null;
}

/** The pid an `@` target names; `exists` says whether a pid was ever a process. */
export function resolveTarget(
  t: Target,
  vars: ReadonlyMap<string, bigint>,
  exists: (pid: number) => boolean,
): number {
  let v: bigint;
  if (typeof t.value === "string") {
    const x = vars.get(t.value);
    if (x === undefined) {
      throw new ReplError(
        `unknown variable ${t.value}`,
        t.col,
        didYouMean(t.value, vars.keys()) ?? "@ takes a pid or a variable holding one",
        "name",
      );
    }
    v = x;
  } else v = t.value;
  const pid = Number(v);
  if (!exists(pid) || v !== BigInt(pid)) {
    throw new ReplError(`no process ${v}`, t.col, "ps lists the processes", "process");
  }
  return pid;
}

/** The error for a command aimed at a process that is not alive. */
export function notAlive(
  pid: number,
  p: ProcInfo | undefined,
  col: number | undefined,
  live: number[],
): ReplError {
  const st = p?.status;
  const how = p === undefined
    ? "is gone"
    : st?.signal !== undefined
    ? `was killed by ${signalName(st.signal)}`
    : `has exited with ${st?.code ?? 0}`;
  return new ReplError(
    `process ${pid} ${how}`,
    col,
    live.length > 0 ? `switch to a live one: @${live[0]}` : "no process is alive",
    "process",
  );
}

/**
 * When the current process died: its parent if alive, else the lowest live
 * pid. Returns the new pid (or null) and the line that says so.
 */
export function afterDeath(
  cur: ProcInfo,
  procs: Iterable<ProcInfo>,
): { pid: number | null; note: string } {
  const all = [...procs];
  const parent = all.find((p) => p.pid === cur.ppid);
  const next = parent?.alive ? parent : all.filter((p) => p.alive).sort((a, b) => a.pid - b.pid)[0];
  if (next === undefined) {
    return {
      pid: null,
      note: "no process is left alive (ps, meminfo, dmesg and policy still work)",
    };
  }
  return {
    pid: next.pid,
    note: `now in process ${next.pid}${next === parent ? " (the parent)" : ""}`,
  };
}

/** Anything thrown while a line ran, as a REPL error (internal unless it already is one). */
export function asReplError(e: unknown): ReplError {
  if (e instanceof WouldBlock) {
    // A kernel path that must sleep outside a syscall (a verb's pin on a
    // userfaultfd range): it unwound before changing anything.
    return new ReplError(
      `the command would sleep in ${e.wchan} (${e.message})`,
      undefined,
      "only syscalls and CPU accesses can wait here" +
        (e.wchan === "handle_userfault"
          ? ": resolve the range first (UFFDIO_COPY or UFFDIO_ZEROPAGE) or unregister it"
          : ""),
      "process",
    );
  }
  return e instanceof ReplError
    ? e
    : new ReplError(e instanceof Error ? e.message : String(e), undefined, undefined, "internal");
}
