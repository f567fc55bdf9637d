/**
 * A REPL session: a machine, the current pid, the variables, and
 * `run(line)`, which parses and runs one command line and returns the lines
 * it prints. No I/O: the interactive, batch and record/replay front ends
 * all drive this, and two sessions fed the same lines print the same text.
 * @module
 */

import { Machine, type MachineConfig, type Process } from "../mod.ts";
import { COMMANDS, wordShape } from "./commands/index.ts";
import { callArgs, resolveCall } from "./commands/args.ts";
import { afterDeath, asReplError, notAlive, type ProcInfo, resolveTarget } from "./processes.ts";
import type { Command, CommandContext, Value } from "./commands/types.ts";
import { CONSTANTS } from "./constants.ts";
import { formatError, ReplError, type Where } from "./errors.ts";
import { evalNum, type Scope } from "./eval.ts";
import { formatExit, formatSignal, formatValue } from "./format.ts";
import { type Expr, parseLine, type Stmt, type Target } from "./parser.ts";

/** What one line did. */
export interface RunResult {
  /** The lines it prints, error line included. */
  output: string[];
  /** The error, when the line was malformed or mmlab failed. */
  error?: ReplError;
  /** `quit` was run. */
  quit?: boolean;
  /** Something only the front end can do (files): see {@link FrontEndRequest}. */
  request?: FrontEndRequest;
}

/** A command's request to the front end, which owns all I/O. */
export type FrontEndRequest = { record: string } | { recordStop: true };

/** Told of every line run: the pid its prompt showed, the line, what it did. */
export type RunObserver = (pid: number, line: string, result: RunResult) => void;

/** How to build a session. */
export interface SessionOptions {
  /** An existing machine; else one is built from `config`. */
  machine?: Machine;
  config?: MachineConfig;
}

/** The SIGKILL number: that signal is never reported with a `---` line. */
const SIGKILL = 9n;

interface Seen {
  signals: number;
  alive: boolean;
}

/** One REPL session over one machine. */
export class Session {
  readonly machine: Machine;
  /** The current process. */
  pid: number;
  readonly vars: Map<string, bigint> = new Map();
  /** Called after every run (recording is one). */
  readonly observers: RunObserver[] = [];
  private readonly config: MachineConfig;
  private pending: FrontEndRequest | undefined;

  constructor(opts: SessionOptions = {}) {
    this.config = opts.config ?? {};
    this.machine = opts.machine ?? new Machine(this.config);
    this.pid = this.machine.init.pid;
  }

  /** `[1] mm> ` */
  prompt(): string {
    return `[${this.pid}] mm> `;
  }

  /** The current process (possibly dead). */
  get current(): Process | undefined {
    return this.machine.process(this.pid);
  }

  /** Parses and runs one line. Never throws. */
  run(line: string, where?: Where): RunResult {
    const promptPid = this.pid;
    const output: string[] = [];
    const seen = this.snapshot();
    const wasAlive = this.current?.alive ?? false;
    let main = this.pid;
    let quit = false;
    let error: ReplError | undefined;
    const flush = () => this.report(output, seen, main);
    try {
      const stmt = parseLine(line, wordShape);
      main = this.targetPid(stmt);
      this.exec(stmt, output, flush, () => (quit = true));
    } catch (e) {
      flush();
      error = asReplError(e);
      output.push(formatError(error, where));
    }
    flush();
    if (wasAlive) this.afterDeath(output);
    const r: RunResult = { output };
    if (error) r.error = error;
    if (quit) r.quit = true;
    if (this.pending !== undefined) {
      r.request = this.pending;
      this.pending = undefined;
    }
    for (const o of this.observers.slice()) o(promptPid, line, r);
    return r;
  }

  /** Runs lines in a fresh session like this one; returns the transcript. */
  transcript(lines: readonly string[]): string[] {
    const s = new Session({
      config: { ...this.config, policies: { ...this.machine.policies } },
    });
    const out: string[] = [];
    for (const l of lines) {
      out.push(s.prompt() + l);
      out.push(...s.run(l).output);
    }
    return out;
  }

  /** Names a completer offers for values: variables then constants. */
  valueNames(): string[] {
    const policies = this.machine.policies as unknown as Record<string, string>;
    const usable = [...CONSTANTS.values()].filter((c) =>
      c.policy === undefined || policies[c.policy.knob] === c.policy.value
    );
    return [...this.vars.keys(), ...usable.map((c) => c.name)];
  }

  private snapshot(): Map<number, Seen> {
    const m = new Map<number, Seen>();
    for (const [pid, p] of this.machine.procs) {
      m.set(pid, { signals: p.signals.length, alive: p.alive });
    }
    return m;
  }

  /** Prints new signals and deaths since the snapshot, then updates it. */
  private report(out: string[], seen: Map<number, Seen>, main: number): void {
    const pids = [...this.machine.procs.keys()].sort((a, b) => a - b);
    const order = pids.includes(main) ? [main, ...pids.filter((p) => p !== main)] : pids;
    for (const pid of order) {
      const p = this.machine.procs.get(pid)!;
      const was = seen.get(pid) ?? { signals: 0, alive: true };
      const prefix = pid === main ? "" : `[pid ${pid}] `;
      for (const sig of p.signals.slice(was.signals)) {
        if (BigInt(sig.signo) !== SIGKILL) out.push(prefix + formatSignal(sig));
      }
      if (was.alive && !p.alive && p.exitStatus !== null) {
        out.push(prefix + formatExit(p.exitStatus));
      }
      seen.set(pid, { signals: p.signals.length, alive: p.alive });
    }
  }

  /** When the current process died: switch to its parent or the lowest live pid. */
  private afterDeath(out: string[]): void {
    const cur = this.current;
    if (cur === undefined || cur.alive) return;
    const r = afterDeath(procInfo(cur), [...this.machine.procs.values()].map(procInfo));
    if (r.pid !== null) this.pid = r.pid;
    out.push(r.note);
  }

  private targetPid(stmt: Stmt): number {
    if (stmt.type === "empty" || stmt.target === undefined) return this.pid;
    return this.resolveTarget(stmt.target);
  }

  private resolveTarget(t: Target): number {
    return resolveTarget(t, this.vars, (pid) => this.machine.process(pid) !== undefined);
  }

  /** The live process a command runs in, or a clear error. */
  private liveProcess(pid: number, col: number | undefined): Process {
    const p = this.machine.process(pid);
    if (p?.alive) return p;
    const live = [...this.machine.procs.values()].filter((q) => q.alive).map((q) => q.pid);
    throw notAlive(pid, p && procInfo(p), col, live);
  }

  private scope(): Scope {
    return {
      vars: this.vars,
      policies: this.machine.policies as unknown as Record<string, string>,
      commands: COMMANDS,
    };
  }

  private exec(stmt: Stmt, out: string[], flush: () => void, quit: () => void): void {
    switch (stmt.type) {
      case "empty":
        return;
      case "switch": {
        const pid = this.resolveTarget(stmt.target);
        this.liveProcess(pid, stmt.target.col);
        this.pid = pid;
        return;
      }
      case "command": {
        const cmd = COMMANDS.get(stmt.name)!;
        const pid = stmt.target ? this.resolveTarget(stmt.target) : this.pid;
        const values: Value[] = stmt.args.map((a) =>
          a.type === "word"
            ? { type: "word", text: a.text, col: a.col }
            : { type: "num", v: evalNum(a.expr, this.scope()), col: a.col }
        );
        this.invoke(cmd, pid, values, stmt.target?.col ?? stmt.col, out, flush, quit);
        return;
      }
      case "eval": {
        if (stmt.assign) this.checkAssignable(stmt.assign.name, stmt.assign.col);
        const pid = stmt.target ? this.resolveTarget(stmt.target) : this.pid;
        let value: bigint | undefined;
        if (stmt.expr.type === "call") {
          value = this.call(stmt.expr, pid, stmt.target?.col, out, flush, quit);
        } else {
          value = evalNum(stmt.expr, this.scope());
          out.push(`= ${formatValue(value)}`);
        }
        if (stmt.assign && value !== undefined) this.vars.set(stmt.assign.name, value);
        return;
      }
    }
  }

  private checkAssignable(name: string, col: number): void {
    if (CONSTANTS.has(name)) {
      throw new ReplError(`${name} is a constant`, col, "pick another variable name", "name");
    }
    if (COMMANDS.has(name)) {
      throw new ReplError(`${name} is a command`, col, "pick another variable name", "name");
    }
  }

  private call(
    e: Extract<Expr, { type: "call" }>,
    pid: number,
    targetCol: number | undefined,
    out: string[],
    flush: () => void,
    quit: () => void,
  ): bigint | undefined {
    const cmd = resolveCall(COMMANDS, e);
    const values = callArgs(cmd, e, this.scope());
    return this.invoke(cmd, pid, values, targetCol ?? e.col, out, flush, quit);
  }

  private invoke(
    cmd: Command,
    pid: number,
    values: Value[],
    col: number,
    out: string[],
    flush: () => void,
    quit: () => void,
  ): bigint | undefined {
    const proc = cmd.needsProcess
      ? this.liveProcess(pid, col)
      : this.machine.process(pid) as Process;
    const ctx: CommandContext = {
      machine: this.machine,
      proc,
      out,
      vars: this.vars,
      transcript: (lines) => this.transcript(lines),
      flushEvents: flush,
      request: (req) => (this.pending = req),
      quit,
      commands: COMMANDS,
    };
    return cmd.run(ctx, values);
  }
}

/** What the shared process helpers need of a machine process. */
function procInfo(p: Process): ProcInfo {
  return { pid: p.pid, ppid: p.ppid, alive: p.alive, status: p.exitStatus };
}
