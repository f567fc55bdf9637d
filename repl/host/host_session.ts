/**
 * A REPL session whose process is a real one: the same command language
 * (parser, evaluator, argument checks, strace-style formatters) as
 * {@link Session}, but syscalls, CPU accesses, fork, exit and /proc views
 * run on the host kernel through mmhost. The output is in mmlab's
 * transcript form, so the two can be compared line by line.
 *
 * What the host does not run prints a line starting with `(host: `, which
 * the differential runner does not compare: the views only mmlab has
 * (pages, ps, meminfo, status, dmesg, check), policy and help, and an
 * instruction fetch from the vsyscall page.
 *
 * Paths under /tmp are moved to the run's own directory (and moved back
 * in maps/smaps text), so runs never meet each other's files.
 * @module
 */

import { isErr, type SigInfo, type SyscallSpec, syscallSpec } from "../../mod.ts";
import { PEEK_MAX } from "../commands/memory.ts";
import { COMMANDS, wordShape } from "../commands/index.ts";
import { byteCount, bytesOf, callArgs, resolveCall, userRange } from "../commands/args.ts";
import type { Command, Value } from "../commands/types.ts";
import { CONSTANTS } from "../constants.ts";
import { formatError, ReplError, type Where } from "../errors.ts";
import { evalNum, type Scope } from "../eval.ts";
import {
  cString,
  formatExit,
  formatReturn,
  formatSignal,
  formatValue,
  formatVector,
  hexdump,
} from "../format.ts";
import { type Expr, parseLine, type Stmt, type Target } from "../parser.ts";
import type { RunResult } from "../session.ts";
import { decodeBytes, encodeBytes, hexArg, type HostServer, parseS64 } from "./protocol.ts";
import { WINDOW_HI, WINDOW_LO } from "./window.ts";
import { afterDeath, asReplError, notAlive, type ProcInfo, resolveTarget } from "../processes.ts";

/** The commands the host leaves to mmlab. */
const MMLAB_ONLY = new Set([
  "pages",
  "ps",
  "meminfo",
  "status",
  "dmesg",
  "check",
  "policy",
  "help",
]);

/**
 * Syscalls the host session does not run, and why: the host's break is
 * mmhost's own heap (its brk starts after mmhost's 50 MiB of buffers, and
 * moving it down would free them), not the one mmlab's program has.
 */
const NOT_COMPARED = new Map([["brk", "the host's break is mmhost's own heap"]]);

/** The prefix of an output line the runner does not compare. */
export const HOST_NOTE = "(host: ";

interface HostProc {
  pid: number;
  ppid: number;
  alive: boolean;
  exit?: { code?: number; signal?: number; core?: boolean };
}

/** A wait status as mmlab's exit status. */
export function fromWaitStatus(st: number): { code?: number; signal?: number; core?: boolean } {
  const sig = st & 0x7f;
  if (sig === 0) return { code: (st >> 8) & 0xff };
  return { signal: sig, core: (st & 0x80) !== 0 };
}

/** How to build a host session. */
export interface HostSessionOptions {
  server: HostServer;
  /** The run's directory, standing in for /tmp. */
  tmpdir: string;
}

/** A session on the host kernel. */
export class HostSession {
  pid = 1;
  readonly vars = new Map<string, bigint>();
  readonly procs = new Map<number, HostProc>([[1, { pid: 1, ppid: 0, alive: true }]]);
  private readonly server: HostServer;
  private readonly tmpdir: string;
  private events: string[] = [];

  constructor(opts: HostSessionOptions) {
    this.server = opts.server;
    this.tmpdir = opts.tmpdir;
  }

  prompt(): string {
    return `[${this.pid}] mm> `;
  }

  /** Parses and runs one line on the host. Never throws on user errors. */
  async run(line: string, where?: Where): Promise<RunResult> {
    const output: string[] = [];
    const wasAlive = this.procs.get(this.pid)?.alive ?? false;
    let quit = false;
    let error: ReplError | undefined;
    const flush = () => {
      output.push(...this.events);
      this.events = [];
    };
    try {
      const stmt = parseLine(line, wordShape);
      await this.exec(stmt, output, flush, () => (quit = true));
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
    return r;
  }

  private afterDeath(out: string[]): void {
    const cur = this.procs.get(this.pid);
    if (cur === undefined || cur.alive) return;
    const r = afterDeath(hostInfo(cur), [...this.procs.values()].map(hostInfo));
    if (r.pid !== null) this.pid = r.pid;
    out.push(r.note);
  }

  private scope(): Scope {
    return { vars: this.vars, policies: {}, commands: COMMANDS };
  }

  private resolveTarget(t: Target): number {
    return resolveTarget(t, this.vars, (pid) => this.procs.has(pid));
  }

  private liveProcess(pid: number, col: number | undefined): HostProc {
    const p = this.procs.get(pid);
    if (p?.alive) return p;
    const live = [...this.procs.values()].filter((q) => q.alive).map((q) => q.pid);
    throw notAlive(pid, p && hostInfo(p), col, live);
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
        await this.invoke(cmd, pid, values, stmt.target?.col ?? stmt.col, out, flush, quit);
        return;
      }
      case "eval": {
        if (stmt.assign) this.checkAssignable(stmt.assign.name, stmt.assign.col);
        const pid = stmt.target ? this.resolveTarget(stmt.target) : this.pid;
        let value: bigint | undefined;
        if (stmt.expr.type === "call") {
          value = await this.call(stmt.expr, pid, stmt.target?.col, out, flush, quit);
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
  ): Promise<bigint | undefined> {
    const cmd = resolveCall(COMMANDS, e);
    const why = NOT_COMPARED.get(cmd.name);
    if (why !== undefined) {
      // Before the arguments: they may name a result the host never had.
      out.push(`${HOST_NOTE}${cmd.name} is not compared: ${why})`);
      return Promise.resolve(undefined);
    }
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
    if (cmd.needsProcess) this.liveProcess(pid, col);
    if (cmd.name === "quit") {
      quit();
      return undefined;
    }
    if (cmd.name === "vars") {
      for (const [name, v] of this.vars) out.push(`${name} = ${formatValue(v)}`);
      return undefined;
    }
    if (MMLAB_ONLY.has(cmd.name)) {
      out.push(`${HOST_NOTE}${cmd.name} is not run on the host)`);
      return undefined;
    }
    if (cmd.name === "maps" || cmd.name === "smaps") {
      await this.view(cmd.name, pid, values, out);
      return undefined;
    }
    if (cmd.group === "memory") return this.memory(cmd.name, pid, values, out, flush);
    const spec = syscallSpec(cmd.name);
    if (spec === undefined) {
      out.push(`${HOST_NOTE}${cmd.name} is not run on the host)`);
      return undefined;
    }
    return this.syscall(spec, cmd, pid, values, out);
  }

  /** Records a death reported as `exit WSTATUS`; returns true if there was one. */
  private noteDeath(pid: number, lines: string[]): boolean {
    const l = lines.find((x) => x.startsWith("exit "));
    if (l === undefined) return false;
    const st = Number(parseS64(l.slice(5)));
    const p = this.procs.get(pid)!;
    p.alive = false;
    p.exit = st < 0 ? { code: 255 } : fromWaitStatus(st);
    this.events.push(formatExit(p.exit));
    return true;
  }

  private async req(pid: number, text: string): Promise<string[]> {
    const lines = await this.server.call(pid, text);
    if (lines[0] === "dead") throw new Error(`host process ${pid} is gone`);
    return lines;
  }

  /** The `= RET [DATA]` line of a reply. */
  private static result(lines: string[]): { ret: bigint; data?: string } {
    const l = lines.find((x) => x.startsWith("= "));
    if (l === undefined) throw new Error(`mmhost: unexpected reply ${JSON.stringify(lines)}`);
    const [, r, d] = l.split(" ");
    return { ret: parseS64(r), data: d };
  }

  private hostPath(bytes: Uint8Array): Uint8Array {
    const s = String.fromCharCode(...bytes);
    if (s === "/tmp" || s.startsWith("/tmp/")) {
      const moved = this.tmpdir + s.slice(4);
      return Uint8Array.from(moved, (c) => c.charCodeAt(0) & 0xff);
    }
    return bytes;
  }

  private async syscall(
    spec: SyscallSpec,
    cmd: Command,
    pid: number,
    values: Value[],
    out: string[],
  ): Promise<bigint | undefined> {
    const nr = spec.nr;
    if (spec.name === "getpid") {
      const r = HostSession.result(await this.req(pid, "getpid"));
      out.push(formatReturn(Number(r.ret), spec.ret));
      return r.ret;
    }
    if (spec.name === "fork") {
      const r = HostSession.result(await this.req(pid, "fork"));
      if (r.ret > 0n) {
        const child = Number(r.ret);
        this.procs.set(child, { pid: child, ppid: pid, alive: true });
      }
      out.push(formatReturn(Number(r.ret), spec.ret));
      return isErr(Number(r.ret)) ? -1n : r.ret;
    }
    if (spec.name === "exit") {
      const status = values[0]?.type === "num" ? values[0].v : 0n;
      const lines = await this.req(pid, `exit ${hexArg(status)}`);
      this.noteDeath(pid, lines);
      out.push("= ?");
      return undefined;
    }
    if (spec.name === "signal") {
      const [s, h] = values.map((v) => (v.type === "num" ? v.v : 0n));
      const r = HostSession.result(await this.req(pid, `signal ${hexArg(s)} ${hexArg(h)}`));
      out.push(formatReturn(Number(r.ret), spec.ret));
      return isErr(Number(r.ret)) ? -1n : r.ret;
    }
    const args: string[] = ["0", "0", "0", "0", "0", "0"];
    const extra: string[] = [];
    values.forEach((v, i) => {
      if (v.type === "num") args[i] = hexArg(v.v);
      else if (v.type === "str") {
        const isPath = spec.args[i]?.kind === "path" && spec.name !== "memfd_create";
        extra.push(`s${i}=${encodeBytes(isPath ? this.hostPath(v.bytes) : v.bytes)}`);
      }
    });
    let vecPages = 0;
    if (spec.name === "pread") {
      if (values[1]?.type === "str") extra.push("b1=0");
      extra.push("r1=ret");
    }
    if (spec.name === "mincore") {
      const len = BigInt.asUintN(64, values[1]?.type === "num" ? values[1].v : 0n);
      const pages = (len >> 12n) + ((len & 0xfffn) !== 0n ? 1n : 0n);
      vecPages = pages > 257n ? 257 : Number(pages);
      if (values.length < 3) extra.push("b2=0");
      extra.push(`r2=${vecPages.toString(16)}`);
    }
    const lines = await this.req(
      pid,
      `sys ${nr.toString(16)} ${args.join(" ")} ${extra.join(" ")}`,
    );
    const r = HostSession.result(lines);
    const ret = Number(r.ret);
    let line = formatReturn(ret, spec.ret);
    if (!isErr(ret) && r.data !== undefined && (spec.name === "pread" || spec.name === "mincore")) {
      if (r.data === "!") line += " (host: the buffer could not be read back)";
      else {
        const data = decodeBytes(r.data);
        const hasBuf = cmd.args.some((a) => a.kind === "buf");
        line += ` ${hasBuf ? cString(data) : formatVector(data)}`;
      }
    }
    out.push(line);
    return isErr(ret) ? -1n : BigInt(ret);
  }

  private async view(name: string, pid: number, values: Value[], out: string[]): Promise<void> {
    // Plain maps/smaps: the window; with ADDR [LEN]: that range.
    let lo = BigInt(WINDOW_LO), hi = BigInt(WINDOW_HI);
    const [addr, len] = values;
    if (addr !== undefined) {
      const [start, end] = userRange(addr, len);
      lo = BigInt(start);
      hi = BigInt(end);
    }
    if (lo >= hi) return;
    const lines = await this.req(pid, `${name} ${hexArg(lo)} ${hexArg(hi)}`);
    for (const l of lines) {
      if (l.startsWith("l ")) out.push(l.slice(2).replaceAll(this.tmpdir + "/", "/tmp/"));
    }
  }

  /** peek, poke, memset, exec. */
  private async memory(
    name: string,
    pid: number,
    values: Value[],
    out: string[],
    flush: () => void,
  ): Promise<bigint | undefined> {
    const num = (v: Value | undefined) => (v?.type === "num" ? v.v : 0n);
    const addr = num(values[0]);
    let req: string;
    let total = 0;
    switch (name) {
      case "peek":
        total = values[1] === undefined ? 1 : byteCount(values[1], "len", PEEK_MAX);
        req = `cpu r ${hexArg(addr)} ${total.toString(16)}`;
        break;
      case "poke": {
        const data = bytesOf(values.slice(1));
        if (data.length === 0) {
          throw new ReplError("poke needs bytes to store", values[0].col, undefined, "usage");
        }
        total = data.length;
        req = `cpu w ${hexArg(addr)} ${encodeBytes(data)}`;
        break;
      }
      case "memset": {
        const value = bytesOf([values[1]])[0];
        total = byteCount(values[2], "len", Number.MAX_SAFE_INTEGER);
        req = `cpu f ${hexArg(addr)} ${value.toString(16)} ${total.toString(16)}`;
        break;
      }
      case "exec":
        req = `cpu x ${hexArg(addr)}`;
        break;
      default:
        out.push(`${HOST_NOTE}${name} is not run on the host)`);
        return undefined;
    }
    const lines = await this.req(pid, req);
    if (lines[0] === "unsupported") {
      out.push(`${HOST_NOTE}${name} at ${formatValue(addr)} is not run on the host)`);
      return undefined;
    }
    const first = lines[0].split(" ");
    if (first[0] === "ok") {
      const done = Number(BigInt("0x" + first[1]));
      if (name === "peek") {
        const bytes = decodeBytes(first[2] ?? "-");
        if (values[1] === undefined) {
          out.push(`= ${formatValue(BigInt(bytes[0]))}`);
          return BigInt(bytes[0]);
        }
        out.push(...hexdump(addr, bytes));
        return BigInt(total);
      }
      if (name === "exec") {
        out.push("= 0");
        return 0n;
      }
      out.push(`= ${done}`);
      return BigInt(done);
    }
    // sig SIGNO CODE ADDR LSB DONE [BYTES]
    const [, signo, code, saddr, lsb, doneHex, data] = first;
    const sig: SigInfo = {
      signo: Number(BigInt("0x" + signo)),
      code: Number(BigInt("0x" + code)),
      addr: Number(parseS64(saddr)),
    };
    if (parseS64(lsb) >= 0n) sig.addrLsb = Number(BigInt("0x" + lsb));
    const done = Number(BigInt("0x" + doneHex));
    if (sig.signo !== 9) this.events.push(formatSignal(sig));
    this.noteDeath(pid, lines);
    if (name === "peek" && total > 1 && done > 0) {
      out.push(...hexdump(addr, decodeBytes(data ?? "-")));
    }
    flush();
    if (name !== "exec" && done > 0) out.push(`(${name} stopped after ${done} of ${total} bytes)`);
    return undefined;
  }
}

/** What the shared process helpers need of a host process. */
function hostInfo(p: HostProc): ProcInfo {
  return { pid: p.pid, ppid: p.ppid, alive: p.alive, status: p.exit };
}
