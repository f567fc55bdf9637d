/**
 * A REPL session: a backend (the emulated machine, or the host kernel),
 * the current pid, the variables, and `run(line)`, which parses and runs
 * one command line and resolves to the lines it prints. No I/O: the
 * interactive, batch, record/replay and differential front ends all drive
 * this, and two sessions fed the same lines print the same text.
 *
 * What happened while a line ran (signals, deaths, calls that finished
 * later) comes from the backend's events, printed after the line's own
 * output as strace prints them: the line's process first, others with a
 * `[pid N] ` prefix.
 * @module
 */

import { pushAll } from "./bulk.ts";
import type { Machine, MachineConfig, Process } from "../mod.ts";
import { COMMANDS, wordShape } from "./commands/index.ts";
import { callArgs, resolveCall, userRange } from "./commands/args.ts";
import { resultLine, resultValue } from "./commands/syscalls.ts";
import { afterDeath, asReplError, notAlive, type ProcInfo, resolveTarget } from "./processes.ts";
import type { Command, CommandContext, ResumeFormat, Value } from "./commands/types.ts";
import { CONSTANTS } from "./constants.ts";
import { formatError, ReplError, type Where } from "./errors.ts";
import { evalNum, type Scope } from "./eval.ts";
import { formatExit, formatSignal, formatValue } from "./format.ts";
import { type Expr, parseLine, type Stmt, type Target } from "./parser.ts";
import { type Backend, notRunLine, type SessionEvent, type TaskInfo } from "./backend.ts";
import { MachineBackend } from "./machine_backend.ts";
import { SessionHabits } from "./habits.ts";
import { type Interrupt, stopAfter } from "./interrupt.ts";
import { applyFilters, type LineFilter, splitFilters } from "./view_filter.ts";
import { SnapshotLog } from "./snapshot.ts";
import { readOnlyLine, readOnlyStmt } from "./read_only.ts";
import { type LineData, lineJson } from "./json_result.ts";
import { stripJsonFlag } from "./json_flag.ts";
import { showScript } from "./show_script.ts";
import { type TraceStep, traceStepText } from "../mod.ts";

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
  /** Ctrl-C stopped the command part-way: a fresh machine fed the line would not match. */
  interrupted?: true;
  /** What the line did as data: the commands' records, the events, the value. */
  data?: LineData;
}

/** A command's request to the front end, which owns all I/O. */
export type FrontEndRequest = { record: string } | { recordStop: true };

/** Told of every line run: what its prompt showed (`1`, `1.3`), the line, what it did. */
export type RunObserver = (prompt: string, line: string, result: RunResult) => void;

/** How to build a session. */
export interface SessionOptions {
  /** The backend; else an emulated machine (`machine`, or one built from `config`). */
  backend?: Backend;
  machine?: Machine;
  config?: MachineConfig;
}

/** `CMD --show-script`. */
const SHOW_SCRIPT = /\s--show-script\s*$/;

/** The SIGKILL number: that signal is never reported with a `---` line. */
const SIGKILL = 9;

/** A call that has not finished: what to print and set when it does. */
interface PendingCall {
  pid: number;
  fmt: ResumeFormat;
  /** The variable `x = call(...)` assigns when the call completes. */
  assign?: string;
}

/**
 * `pages a --bogus`: a word `--NAME` no flag of the command's. Its
 * expression would be -(-NAME), an unknown name or a command "not a
 * value"; the line names the flag and the flags there are instead.
 */
function strayFlag(cmd: Command, expr: Expr, scope: Scope): void {
  const n = flagName(expr);
  if (n === undefined || scope.vars.has(n.name) || CONSTANTS.has(n.name)) return; // +x: a value
  const flags = (cmd.flags ?? []).map((f) => f.name);
  throw new ReplError(
    `unknown name ${n.name} (no flag --${n.name} for ${cmd.name})`,
    n.col,
    flags.length > 0 ? `its flags: ${flags.join(" ")}` : `${cmd.name} takes no flags`,
    "name",
  );
}

/** The NAME of a `--NAME` word: alone it reads +NAME, after a value V - -NAME (a loop: chains are long). */
function flagName(expr: Expr): { name: string; col: number } | undefined {
  if (expr.type === "unary") {
    const n = expr.arg;
    return expr.op === "+" && n.type === "name" && n.col === expr.col + 2 ? n : undefined;
  }
  for (let e: Expr = expr; e.type === "binary"; e = e.left) {
    const r = e.right;
    if (e.op !== "-" || r.type !== "unary" || r.op !== "-" || r.col !== e.col + 1) continue;
    if (r.arg.type === "name" && r.arg.col === e.col + 2) return r.arg;
  }
  return undefined;
}

/** One REPL session over one backend. */
export class Session {
  /** The backend; `reset` replaces it with a fresh one built the same way, `restore`/`undo`
   * with a replay ({@link SnapshotLog}). */
  backend: Backend;
  /** The current thread: a tid (the main thread's is its process's pid). */
  pid = 1;
  readonly vars: Map<string, bigint> = new Map();
  /** Called after every run (recording is one). */
  readonly observers: RunObserver[] = [];
  private readonly config: MachineConfig;
  private pending: FrontEndRequest | undefined;
  /** Calls still running, by the backend's token. */
  private readonly unfinished = new Map<number, PendingCall>();
  /** The call the current line left unfinished, if any. */
  private lastUnfinished: PendingCall | undefined;
  /** The fds seen to be userfaultfds (CommandContext.uffds). */
  private readonly uffds = new Set<number>();
  /** Set by an interactive front end: long commands stop on Ctrl-C (repl/interrupt.ts). */
  interrupt: Interrupt | undefined;
  /** `_` and `errno` (repl/habits.ts). */
  readonly habits: SessionHabits = new SessionHabits();
  /** The data of the line running (RunResult.data). */
  private lineData: LineData | undefined;
  /** The line run() parsed (no view filters), for the snapshot log's read-only test. */
  private parsed: { text: string; stmt: Stmt | null } | undefined;
  /** The line ends in --show-script: print the API calls instead of running (repl/show_script.ts). */
  private scriptOnly: string | undefined;
  /** The lines run, for snapshot/restore/undo/diff (replayed from the settings). */
  readonly snapshots: SnapshotLog<Session>;

  constructor(private readonly opts: SessionOptions = {}) {
    this.config = opts.config ?? {};
    this.backend = opts.backend ?? new MachineBackend(opts.machine ?? this.config);
    const first = this.backend.processes().find((p) => p.alive);
    if (first !== undefined) this.pid = first.pid;
    this.habits.started(this.backend.policies());
    const replayable = opts.backend === undefined && opts.machine === undefined;
    // The settings as they were at the start, whatever later commands change.
    const start: MachineConfig = { ...this.config };
    if (start.policies !== undefined) start.policies = { ...start.policies };
    this.snapshots = new SnapshotLog<Session>({
      canReplay: replayable,
      fresh: () => {
        const s = new Session({ config: start });
        s.snapshots.replaying();
        return s;
      },
      run: async (s, line, stoppedAfter) => {
        // A line Ctrl-C stopped part-way stops where it did (repl/interrupt.ts stopAfter).
        s.interrupt = stoppedAfter === undefined ? undefined : stopAfter(stoppedAfter);
        await s.run(line);
      },
      adopt: (s) => this.adopt(s),
      copy: () => {
        const c = new Session({ config: start });
        c.snapshots.replaying();
        c.adopt(this);
        return c;
      },
      readOnly: (line) => {
        // The line run() just parsed is not parsed again (null: it did not parse).
        const p = this.parsed;
        if (p === undefined || p.text !== line) return readOnlyLine(line);
        return p.stmt === null || readOnlyStmt(p.stmt);
      },
    });
  }

  /**
   * `reset`: a fresh machine built from the same configuration (seed, RAM,
   * preset, policies, PCI), pid 1, no variables. Returns what to print, or
   * throws when the session was handed a backend or machine it cannot rebuild.
   */
  reset(): string {
    if (this.opts.backend !== undefined || this.opts.machine !== undefined) {
      throw new ReplError(
        `reset needs a session built from a configuration (this one runs on ${this.backend.name})`,
        undefined,
        "start mmlab again instead",
        "process",
      );
    }
    this.backend = new MachineBackend(this.config);
    this.pid = this.backend.processes().find((p) => p.alive)?.pid ?? 1;
    this.vars.clear();
    this.unfinished.clear();
    this.uffds.clear();
    this.habits.started(this.backend.policies(), true);
    return "reset: a fresh machine (same seed, RAM, preset and policies); variables cleared";
  }

  /** Takes over the machine and REPL state of `s` (a replay of this session's lines). */
  private adopt(s: Session): void {
    this.backend = s.backend;
    this.pid = s.pid;
    this.vars.clear();
    for (const [k, v] of s.vars) this.vars.set(k, v);
    this.unfinished.clear();
    for (const [k, v] of s.unfinished) this.unfinished.set(k, v);
    this.uffds.clear();
    for (const fd of s.uffds) this.uffds.add(fd);
  }

  /** The emulated machine (sessions over the host kernel have none). */
  get machine(): Machine {
    const m = this.backend.machine;
    if (m === undefined) throw new Error(`the ${this.backend.name} backend has no machine`);
    return m;
  }

  /**
   * `[1] mm> ` in a process's main thread, `[1.3] mm> ` in its thread 3
   * (PID.TID, as /proc/PID/task/TID names it).
   */
  prompt(): string {
    return `[${this.promptTag()}] mm> `;
  }

  /** What the prompt shows between its brackets: `1`, or `1.3` in a thread. */
  promptTag(t: TaskInfo | undefined = this.taskInfo(this.pid)): string {
    return t === undefined || t.pid === t.tid ? `${this.pid}` : `${t.pid}.${t.tid}`;
  }

  /** The current process of the emulated machine (possibly dead). */
  get current(): Process | undefined {
    const m = this.backend.machine;
    return m?.task(this.pid)?.group ?? m?.process(this.pid);
  }

  /** Calls started and not yet finished. */
  get unfinishedCalls(): number {
    return this.unfinished.size;
  }

  /** Parses and runs one line. Never rejects. */
  async run(line: string, where?: Where): Promise<RunResult> {
    // CMD --json for a command without its own --json: the result as JSON (repl/json_result.ts).
    const bare = stripJsonFlag(line);
    const script = SHOW_SCRIPT.test(bare ?? line);
    const text = (bare ?? line).replace(SHOW_SCRIPT, "");
    this.scriptOnly = script ? text : undefined;
    const data: LineData = (this.lineData = { results: [], events: [] });
    this.parsed = undefined;
    const stepsBefore = this.interrupt?.stepsDone() ?? 0;
    // One look-up of the thread (backend.tasks() lists them all) for the tag, liveness, group.
    const ti = this.taskInfo(this.pid);
    const promptPid = this.promptTag(ti);
    const output: string[] = [];
    const wasAlive = ti?.alive ?? false;
    const group = ti?.pid ?? this.pid;
    let main = this.pid;
    let quit = false;
    let error: ReplError | undefined;
    let errorText: string | undefined;
    const flush = () => this.report(output, main);
    let filters: LineFilter[] | undefined;
    try {
      // `smaps | grep Rss`: filters apply to what the command prints (repl/view_filter.ts).
      const split = splitFilters(text);
      filters = split?.filters;
      // (A filtered line is logged by its command: `mmap(...) | grep 0x` changes the machine.)
      this.parsed = { text, stmt: null };
      const stmt = parseLine(split?.command ?? text, wordShape);
      this.parsed.stmt = stmt;
      if (
        script && stmt.type !== "command" && !(stmt.type === "eval" && stmt.expr.type === "call")
      ) {
        throw new ReplError(
          "--show-script shows a command or a call",
          undefined,
          undefined,
          "usage",
        );
      }
      main = this.targetPid(stmt);
      await this.exec(stmt, output, flush, () => (quit = true));
    } catch (e) {
      flush();
      error = asReplError(e);
      errorText = formatError(error, where);
      output.push(errorText);
    }
    // `trace on`: the kernel path lines of this line's faults and syscalls
    // come first, before the command's own output.
    // (After the flush: a call it resumes, e.g. a truncate woken by an unpin, traces too.)
    flush();
    const tracer = this.backend.machine?.trace;
    const steps = tracer?.takeSteps();
    if (tracer && steps !== undefined && steps.length > 0) {
      // `trace json`: each step as its JSON record; else its text.
      const text = (s: TraceStep) => tracer.json ? JSON.stringify(s) : traceStepText(s);
      output.splice(0, 0, ...steps.map((s) => `trace: ${text(s)}`));
      // The steps as data in `--json` / `--jsonl` results (repl/json_result.ts).
      data.trace = steps;
    }
    flush();
    if (wasAlive) this.afterDeath(output, group);
    if (filters !== undefined) {
      output.splice(0, output.length, ...applyFilters(filters, output, !!error));
    }
    const r: RunResult = { output, data };
    if (bare !== undefined) {
      // In the data the error is a field of its own, not its line (which names where it came from).
      const text = output.filter((l) => l !== errorText);
      r.output = JSON.stringify(lineJson(bare, promptPid, text, data, error), null, 2).split("\n");
      // The error's line still ends the output, as after any line (transcripts rely on it).
      if (errorText !== undefined) r.output.push(errorText);
    }
    if (error) r.error = error;
    if (quit) r.quit = true;
    if (this.interrupt?.honoured()) r.interrupted = true;
    if (this.pending !== undefined) {
      r.request = this.pending;
      this.pending = undefined;
    }
    this.habits.ran(promptPid, line, r);
    this.scriptOnly = undefined;
    if (script) this.snapshots.notLogged();
    this.snapshots.logged(
      text,
      r.interrupted ? (this.interrupt?.stepsDone() ?? 0) - stepsBefore : undefined,
    );
    for (const o of this.observers.slice()) o(promptPid, line, r);
    return r;
  }

  /** Runs lines in a fresh session like this one; returns the transcript. */
  async transcript(lines: readonly string[]): Promise<string[]> {
    const s = new Session({
      config: { ...this.config, policies: { ...this.backend.policies() } },
    });
    const out: string[] = [];
    for (const l of lines) {
      out.push(s.prompt() + l);
      pushAll(out, (await s.run(l)).output);
    }
    return out;
  }

  /** Names a completer offers for values: variables then constants. */
  valueNames(): string[] {
    const policies = this.backend.policies();
    const usable = [...CONSTANTS.values()].filter((c) =>
      c.policy === undefined || policies[c.policy.knob] === c.policy.value
    );
    return [...this.vars.keys(), ...usable.map((c) => c.name)];
  }

  private info(pid: number): ProcInfo | undefined {
    return this.backend.processes().find((p) => p.pid === pid);
  }

  /** A thread by tid; a backend without threads has one per process (tid = pid). */
  private taskInfo(tid: number): TaskInfo | undefined {
    if (this.backend.tasks === undefined) {
      const p = this.info(tid);
      return p === undefined ? undefined : { tid, pid: tid, alive: p.alive };
    }
    return this.backend.tasks().find((t) => t.tid === tid);
  }

  /** Whether thread `tid` is alive (and its process). */
  private taskAlive(tid: number): boolean {
    return this.taskInfo(tid)?.alive ?? false;
  }

  /**
   * Prints what the backend reports happened: the events of `main` first,
   * then the others', grouped by process (or thread), the groups in the
   * order their first event came (timers that fire in turn print in turn),
   * each group's events in the order they came.
   */
  private report(out: string[], main: number): void {
    const events = this.backend.takeEvents();
    if (events.length === 0) return;
    this.lineData?.events.push(...events);
    const mine = events.filter((e) => e.pid === main);
    const first = new Map<number, number>();
    events.forEach((e, i) => first.has(e.pid) || first.set(e.pid, i));
    const others = events.filter((e) => e.pid !== main)
      .sort((a, b) => first.get(a.pid)! - first.get(b.pid)!);
    for (const e of [...mine, ...others]) {
      const line = this.eventLine(e);
      if (line !== undefined) out.push(e.pid === main ? line : `[pid ${e.pid}] ${line}`);
    }
  }

  private eventLine(e: SessionEvent): string | undefined {
    switch (e.kind) {
      case "signal":
        return e.info.signo === SIGKILL ? undefined : formatSignal(e.info);
      case "exit":
        return formatExit(e.status);
      case "resume": {
        const call = this.unfinished.get(e.token);
        if (call === undefined) return undefined;
        this.unfinished.delete(e.token);
        if (e.gone) return `<... ${call.fmt.name} resumed> = ?`;
        if (call.assign !== undefined) this.vars.set(call.assign, call.fmt.value(e.result));
        return `<... ${call.fmt.name} resumed> ${call.fmt.line(e.result)}`;
      }
    }
  }

  /**
   * When the current thread died: its process's lowest live thread if the
   * process lives on; else the parent or the lowest live pid.
   */
  private afterDeath(out: string[], group: number): void {
    const t = this.taskInfo(this.pid);
    if (t?.alive) return;
    const pid = t?.pid ?? group;
    const cur = this.info(pid);
    if (cur === undefined) return;
    if (cur.alive) {
      const next = (this.backend.tasks?.() ?? []).find((x) => x.pid === pid && x.alive);
      if (next !== undefined) {
        this.pid = next.tid;
        out.push(`now in thread ${next.tid} of process ${pid}`);
      }
      return;
    }
    const r = afterDeath(cur, this.backend.processes());
    if (r.pid !== null) this.pid = r.pid;
    out.push(r.note);
  }

  private targetPid(stmt: Stmt): number {
    if (stmt.type === "empty" || stmt.target === undefined) return this.pid;
    return this.resolveTarget(stmt.target);
  }

  private resolveTarget(t: Target): number {
    const id = resolveTarget(
      t,
      this.vars,
      (pid) => this.info(pid) !== undefined || this.taskInfo(pid) !== undefined,
    );
    if (t.tid === undefined) return id;
    // @PID.TID: the thread must be one of PID's.
    const tid = Number(t.tid.value);
    const task = this.taskInfo(tid);
    if (task === undefined || task.pid !== id || t.tid.value !== BigInt(tid)) {
      throw new ReplError(
        `process ${id} has no thread ${t.tid.value}`,
        t.tid.col,
        "threads lists the threads",
        "process",
      );
    }
    return tid;
  }

  /**
   * Throws a clear error unless thread `pid` is alive, and, for a command
   * that runs in the thread (`runs`), not asleep in a call.
   */
  private requireLive(pid: number, col: number | undefined, runs = false): void {
    const t = this.taskInfo(pid);
    if (t?.alive) {
      if (runs && t.wchan !== undefined) {
        throw new ReplError(
          `thread ${pid} is asleep in ${t.wchan}`,
          col,
          t.wchan === "handle_userfault"
            ? "its userfault handler wakes it from another thread (UFFDIO_COPY, UFFDIO_ZEROPAGE, " +
              "UFFDIO_WAKE or close(uffd)); threads lists the threads"
            : `wait ${pid} lets it finish; threads lists the threads`,
          "process",
        );
      }
      return;
    }
    const procs = this.backend.processes();
    const p = procs.find((q) => q.pid === (t?.pid ?? pid));
    const live = procs.filter((q) => q.alive).map((q) => q.pid);
    if (p?.alive && t !== undefined) {
      throw new ReplError(
        `thread ${pid} has exited`,
        col,
        `switch to a live one: @${p.pid}`,
        "process",
      );
    }
    throw notAlive(t?.pid ?? pid, p, col, live);
  }

  private scope(): Scope {
    return {
      vars: this.habits.scopeVars(this.vars),
      policies: this.backend.policies(),
      commands: COMMANDS,
    };
  }

  private async exec(
    stmt: Stmt,
    out: string[],
    flush: () => void,
    quit: () => void,
  ): Promise<void> {
    switch (stmt.type) {
      case "empty":
        return;
      case "switch": {
        const pid = this.resolveTarget(stmt.target);
        this.requireLive(pid, stmt.target.col);
        this.pid = pid;
        return;
      }
      case "command": {
        const cmd = COMMANDS.get(stmt.name)!;
        const pid = stmt.target ? this.resolveTarget(stmt.target) : this.pid;
        // The variables once per line (scope() copies them when _ or errno is set).
        const scope = this.scope();
        for (const a of stmt.args) if (a.type !== "word") strayFlag(cmd, a.expr, scope);
        const values: Value[] = stmt.args.map((a, i) =>
          a.type === "word"
            ? { type: "word", text: a.text, col: a.col }
            // A "string" where the argument takes one (dma's DATA); else a number.
            : a.expr.type === "str" && cmd.args[i]?.accepts.includes("str")
            ? { type: "str", bytes: a.expr.bytes, col: a.col }
            : { type: "num", v: evalNum(a.expr, scope), col: a.col }
        );
        await this.invoke(cmd, pid, values, stmt.target?.col ?? stmt.col, out, flush, quit);
        return;
      }
      case "eval": {
        if (stmt.assign) this.checkAssignable(stmt.assign.name, stmt.assign.col);
        const pid = stmt.target ? this.resolveTarget(stmt.target) : this.pid;
        let value: bigint | undefined;
        if (stmt.expr.type === "call") {
          this.lastUnfinished = undefined;
          value = await this.call(stmt.expr, pid, stmt.target?.col, out, flush, quit);
          // A call that blocked assigns its variable when it completes.
          const blocked = this.lastUnfinished as PendingCall | undefined;
          if (blocked !== undefined && stmt.assign) blocked.assign = stmt.assign.name;
        } else {
          value = evalNum(stmt.expr, this.scope());
          out.push(`= ${formatValue(value)}`);
        }
        if (stmt.assign && value !== undefined) this.vars.set(stmt.assign.name, value);
        if (value !== undefined) this.habits.last = value;
        if (value !== undefined && this.lineData !== undefined) this.lineData.value = value;
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
  ): Promise<bigint | undefined> {
    const cmd = resolveCall(COMMANDS, e);
    const values = callArgs(cmd, e, this.scope());
    return this.invoke(cmd, pid, values, targetCol ?? e.col, out, flush, quit);
  }

  private async invoke(
    cmd: Command,
    pid: number,
    values: Value[],
    col: number,
    out: string[],
    flush: () => void,
    quit: () => void,
  ): Promise<bigint | undefined> {
    if (this.scriptOnly !== undefined) {
      pushAll(out, showScript(cmd, pid, values, this.scriptOnly));
      return undefined;
    }
    if (cmd.needsProcess) {
      this.requireLive(
        pid,
        col,
        cmd.group === "syscall" || cmd.group === "library" || cmd.group === "memory",
      );
    }
    const machine = this.backend.machine;
    if (machine === undefined && !cmd.anyBackend) {
      const view = cmd.name === "maps" || cmd.name === "smaps" || cmd.name === "pagemap"
        ? cmd.name
        : undefined;
      // The host's views are its /proc text: no data to print as JSON.
      const flag = values.find((v) => v.type === "word" && v.text.startsWith("--"));
      if (flag !== undefined) {
        out.push(notRunLine(`${cmd.name} ${flag.type === "word" ? flag.text : ""}`));
      } else if (view !== undefined && this.backend.view !== undefined) {
        const [addr, len] = values;
        pushAll(out, await this.backend.view(pid, view, addr && userRange(addr, len)));
      } else out.push(notRunLine(cmd.name));
      return undefined;
    }
    const ctx: CommandContext = {
      backend: this.backend,
      pid,
      get machine(): Machine {
        if (machine === undefined) throw new Error(`${cmd.name} needs the emulated machine`);
        return machine;
      },
      get proc(): Process {
        const p = machine?.task(pid)?.group ?? machine?.process(pid);
        if (p === undefined) throw new Error(`${cmd.name} needs an emulated process`);
        return p;
      },
      alive: () => this.taskAlive(pid),
      out,
      vars: this.vars,
      transcript: (lines) => this.transcript(lines),
      flushEvents: flush,
      request: (req) => (this.pending = req),
      quit,
      unfinished: (token, spec) => {
        const fmt: ResumeFormat = "args" in spec
          ? { name: spec.name, line: (r) => resultLine(spec, r), value: resultValue }
          : spec;
        this.lastUnfinished = { pid, fmt };
        this.unfinished.set(token, this.lastUnfinished);
      },
      commands: COMMANDS,
      uffds: this.uffds,
      callDone: (r) => this.habits.callDone(r),
      interrupt: this.interrupt,
      reset: () => this.reset(),
      snapshots: this.snapshots,
      record: (d) => void this.lineData?.results.push(d),
    };
    return await cmd.run(ctx, values);
  }
}
