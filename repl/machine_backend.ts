/**
 * The emulated machine as a session backend: syscalls through the syscall
 * table, CPU accesses through the fault path, and events read from the
 * machine's event log (lib/events.ts).
 * @module
 */

import { latin1 } from "./bulk.ts";
import {
  cpuExec,
  cpuFill,
  cpuRead,
  cpuWrite,
  DEFAULT_PMEM_BYTES,
  Machine,
  type MachineConfig,
  syscallIn,
  type SyscallSpec,
  type Task,
  userfaultAccess,
  WCHAN_USERFAULT,
} from "../mod.ts";
import type { Backend, CallResult, CpuOp, CpuResult, SessionEvent, TaskInfo } from "./backend.ts";
import type { Value } from "./commands/types.ts";
import { literalArg, structResult } from "./commands/syscalls.ts";
import type { ProcInfo } from "./processes.ts";

/** The value a syscall implementation takes for one evaluated argument. */
export function rawArg(
  v: Value,
  spec: SyscallSpec,
  i: number,
  args: readonly Value[],
): unknown {
  const kind = spec.args[i]?.kind;
  if (v.type === "num") return v.v;
  // A {struct} or [int]: the bytes the kernel reads and writes.
  if (v.type === "struct" || v.type === "intref") return literalArg(spec, i, v, args);
  if (v.type === "str") {
    // Paths are strings (bytes as Latin-1 code units); buffers are bytes.
    return kind === "path" ? latin1(v.bytes) : v.bytes;
  }
  return v.type === "word" ? v.text : undefined;
}

/** How `<... NAME resumed>` names a CPU access that waited. */
const ACCESS_NAMES: Record<CpuOp["op"], string> = {
  read: "peek",
  write: "poke",
  fill: "memset",
  exec: "exec",
};

/** A backend over one emulated {@link Machine}. */
export class MachineBackend implements Backend {
  readonly name = "mmlab";
  readonly machine: Machine;
  private cursor: number;

  constructor(machine: Machine | MachineConfig = {}) {
    // The REPL's machines boot the default PCI topology unless told otherwise.
    this.machine = machine instanceof Machine
      ? machine
      : new Machine({ pci: "default", pmemBytes: DEFAULT_PMEM_BYTES, ...machine });
    this.cursor = this.machine.events.end;
  }

  policies(): Readonly<Record<string, string>> {
    return this.machine.policies as unknown as Record<string, string>;
  }

  processes(): ProcInfo[] {
    return [...this.machine.procs.values()].map((p) => ({
      pid: p.pid,
      ppid: p.ppid,
      alive: p.alive,
      status: p.exitStatus,
    }));
  }

  tasks(): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const t of [...this.machine.tasks.values()].sort((a, b) => a.tid - b.tid)) {
      const info: TaskInfo = { tid: t.tid, pid: t.group.pid, alive: t.alive && t.group.alive };
      if (t.wchan !== null) info.wchan = t.wchan;
      out.push(info);
    }
    return out;
  }

  private task(tid: number): Task {
    const t = this.machine.task(tid);
    if (t === undefined) throw new Error(`no thread ${tid}`);
    return t;
  }

  syscall(tid: number, spec: SyscallSpec, args: readonly Value[]): Promise<CallResult> {
    const raw = args.map((v, i) => rawArg(v, spec, i, args));
    const t = this.task(tid);
    const r: CallResult = syscallIn(t, spec.name, raw);
    if (r.pending !== undefined) {
      return Promise.resolve({
        ret: 0,
        pending: r.pending,
        note: `(thread ${tid} sleeps in ${t.wchan ?? "?"})`,
      });
    }
    return Promise.resolve(structResult(spec, r, args));
  }

  access(tid: number, op: CpuOp): Promise<CpuResult> {
    const t = this.task(tid);
    const r = this.accessIn(t, op);
    // Timers the access's fault costs let expire fire now, as after a syscall.
    this.machine.sched.tick();
    return Promise.resolve(r);
  }

  passTime(ns: number | undefined): number | null {
    const m = this.machine;
    const start = m.clock.ns;
    if (ns === undefined) {
      const next = m.sched.timers.next;
      if (next === undefined) return null;
      m.sched.advanceTo(Math.max(next.expires, start));
    } else m.sched.advanceTo(start + ns);
    return m.clock.ns - start;
  }

  private accessIn(t: Task, op: CpuOp): CpuResult {
    const p = t.group;
    // A fault a userfaultfd handler must resolve makes the thread wait; the
    // access goes on from where it stopped (userfaultAccess).
    const step = (from: number) => {
      const at = op.op === "exec" ? op.addr : op.addr + BigInt(from);
      return op.op === "read"
        ? cpuRead(p, at, op.len - from)
        : op.op === "write"
        ? cpuWrite(p, at, op.bytes.subarray(from))
        : op.op === "fill"
        ? cpuFill(p, at, op.value, op.len - from)
        : cpuExec(p, at);
    };
    const { result: r, pending } = userfaultAccess(t, ACCESS_NAMES[op.op], step);
    if (pending !== undefined) {
      const w = t.userfault;
      const note = `(thread ${t.tid} waits in ${WCHAN_USERFAULT} at 0x${
        (w?.address ?? 0).toString(16)
      })`;
      return r.bytes !== undefined
        ? { pending, done: r.done, bytes: r.bytes, note }
        : { pending, done: r.done, note };
    }
    const out: CpuResult = { done: r.done, faulted: r.sig !== undefined };
    if (r.bytes !== undefined) out.bytes = r.bytes;
    return out;
  }

  takeEvents(): SessionEvent[] {
    // Tasks a command woke (a driver's unpin waking a DAX truncate) finish
    // their calls before the next command, as once the CPU is free.
    this.machine.sched.tick();
    const batch = this.machine.events.since(this.cursor);
    this.cursor = batch.next;
    const out: SessionEvent[] = [];
    for (const e of batch.events) {
      if (e.kind === "signal") out.push({ kind: "signal", pid: e.tid ?? e.pid, info: e.info });
      else if (e.kind === "exit") out.push({ kind: "exit", pid: e.pid, status: e.status });
      else if (e.kind === "thread_exit") out.push({ kind: "exit", pid: e.tid, status: e.status });
      else if (e.kind === "resume") {
        const result: CallResult = { ret: e.ret ?? 0 };
        if (e.data !== undefined) result.data = e.data;
        out.push({
          kind: "resume",
          pid: e.tid,
          token: e.token,
          result,
          ...(e.ret === null ? { gone: true } : {}),
        });
      }
    }
    return out;
  }
}
