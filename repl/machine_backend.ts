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
  Machine,
  type MachineConfig,
  type Process,
  syscall,
  type SyscallSpec,
} from "../mod.ts";
import type { Backend, CallResult, CpuOp, CpuResult, SessionEvent } from "./backend.ts";
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

/** A backend over one emulated {@link Machine}. */
export class MachineBackend implements Backend {
  readonly name = "mmlab";
  readonly machine: Machine;
  private cursor: number;

  constructor(machine: Machine | MachineConfig = {}) {
    this.machine = machine instanceof Machine ? machine : new Machine(machine);
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

  private proc(pid: number): Process {
    const p = this.machine.process(pid);
    if (p === undefined) throw new Error(`no process ${pid}`);
    return p;
  }

  syscall(pid: number, spec: SyscallSpec, args: readonly Value[]): Promise<CallResult> {
    const raw = args.map((v, i) => rawArg(v, spec, i, args));
    const r = syscall(this.proc(pid), spec.name, raw);
    return Promise.resolve(structResult(spec, r, args));
  }

  access(pid: number, op: CpuOp): Promise<CpuResult> {
    const p = this.proc(pid);
    const r = op.op === "read"
      ? cpuRead(p, op.addr, op.len)
      : op.op === "write"
      ? cpuWrite(p, op.addr, op.bytes)
      : op.op === "fill"
      ? cpuFill(p, op.addr, op.value, op.len)
      : cpuExec(p, op.addr);
    const out: CpuResult = { done: r.done, faulted: r.sig !== undefined };
    if (r.bytes !== undefined) out.bytes = r.bytes;
    return Promise.resolve(out);
  }

  takeEvents(): SessionEvent[] {
    const batch = this.machine.events.since(this.cursor);
    this.cursor = batch.next;
    const out: SessionEvent[] = [];
    for (const e of batch.events) {
      if (e.kind === "signal") out.push({ kind: "signal", pid: e.pid, info: e.info });
      else if (e.kind === "exit") out.push({ kind: "exit", pid: e.pid, status: e.status });
    }
    return out;
  }
}
