/**
 * The host kernel as a session backend: syscalls, CPU accesses, fork, exit
 * and /proc/PID/maps and smaps run in real processes through mmhost
 * (protocol.ts). A {@link Session} over it reads a command file exactly as
 * one over the emulated machine does, and prints in the same form, so the
 * differential runner compares the two line by line.
 *
 * What the host does not run prints a line starting with `(host: `, which
 * the runner does not compare: the views only mmlab has (pages, ps,
 * meminfo, status, dmesg, check), policy and help, and an instruction
 * fetch from the vsyscall page.
 *
 * Paths under /tmp are moved to the run's own directory (and moved back
 * in maps/smaps text), so runs never meet each other's files.
 * @module
 */

import {
  decodePagemapEntry,
  type ExitStatus,
  isErr,
  LITERAL_BUF_MAX,
  type PagemapEntry,
  PTHREAD_CLONE_FLAGS,
  renderPagemap,
  type SigInfo,
  type SyscallSpec,
} from "../../mod.ts";
import type {
  Backend,
  CallResult,
  CpuOp,
  CpuResult,
  ProcView,
  SessionEvent,
  TaskInfo,
} from "../backend.ts";
import { NOT_RUN } from "../backend.ts";
import type { Value } from "../commands/types.ts";
import { literalArg, structResult } from "../commands/syscalls.ts";
import { formatValue } from "../format.ts";
import type { ProcInfo } from "../processes.ts";
import { latin1 } from "../bulk.ts";
import { decodeBytes, encodeBytes, hexArg, type HostServer, parseS64 } from "./protocol.ts";
import { WINDOW_HI, WINDOW_LO } from "./window.ts";

/**
 * Where pthread_create's clone3 puts struct pthread below the stack's top
 * (repl/commands/threads.ts): the host's thread gets the stack up to there.
 */
const TCB_BELOW_TOP = 0x9c0n;
const GUARD_SIZE = 4096n;

/** The largest pagemap range (pages) the host reads: 64 MiB, 128 KiB of entries. */
const PAGEMAP_HOST_MAX = 16384;

/**
 * How long, after a line, the host waits for the late replies of calls
 * that line may have woken (the settle rule; see {@link HostBackend.settle}).
 */
export const SETTLE_MS = 30;

/**
 * How long the host may take to report a call the emulated machine woke at
 * the same line (see {@link HostBackend.expectWakes}); past it, the call
 * resumes at a later line and the comparison shows the difference.
 */
export const EXPECTED_WAKE_MS = 5000;

/**
 * Syscalls whose user buffer a thread may fault on in a registered
 * userfaultfd range (the kernel's copy_to_user/copy_from_user then waits in
 * handle_userfault): in a thread they may go pending until another line
 * resolves the fault.
 */
const USERFAULT_IO: ReadonlySet<string> = new Set(["read", "pread", "write", "pwrite"]);

/** The prefix of an output line the runner does not compare. */
export const HOST_NOTE = NOT_RUN;

/** A wait status as mmlab's exit status. */
export function fromWaitStatus(st: number): ExitStatus {
  const sig = st & 0x7f;
  if (sig === 0) return { code: (st >> 8) & 0xff };
  return { signal: sig, core: (st & 0x80) !== 0 };
}

/** How to build a host backend. */
export interface HostBackendOptions {
  server: HostServer;
  /** The run's directory, standing in for /tmp. */
  tmpdir: string;
}

/** The `= RET [DATA]` line of a reply. */
function result(lines: string[]): { ret: bigint; data?: string } {
  const l = lines.find((x) => x.startsWith("= "));
  if (l === undefined) throw new Error(`mmhost: unexpected reply ${JSON.stringify(lines)}`);
  const [, r, d] = l.split(" ");
  return { ret: parseS64(r), data: d };
}

function num(v: Value | undefined): bigint {
  return v?.type === "num" ? v.v : 0n;
}

/** A backend whose processes are real ones on the host kernel. */
export class HostBackend implements Backend {
  readonly name = "host";
  readonly machine = undefined;
  private readonly procs = new Map<number, ProcInfo>([[1, { pid: 1, ppid: 0, alive: true }]]);
  /** Every thread by tid (a process's leader has tid = pid). */
  private readonly threads = new Map<number, TaskInfo>([[1, { tid: 1, pid: 1, alive: true }]]);
  private readonly server: HostServer;
  private readonly tmpdir: string;
  private events: SessionEvent[] = [];
  /**
   * The session's clock. mmlab's is virtual; the host's calls take real
   * time. A nanosleep runs for real in its thread, but its end is held
   * back until the session lets that much time pass (sleep, wait), when
   * mmlab's timer would fire, so both transcripts print it at the same
   * line.
   */
  private clock = 0;
  private readonly sleepers = new Map<
    number,
    { tid: number; deadline: number; result: CallResult; real?: boolean }
  >();
  /**
   * Calls a later line wakes (a userfault resolved by another thread's
   * ioctl, a reader fed by a writer), by token: their late reply is
   * reported as a `resume` at the first line after which it has come
   * (settle).
   */
  private readonly waiters = new Map<
    number,
    { tid: number; finish: (lines: string[]) => CallResult }
  >();
  /** Threads whose blocked call the current line is expected to wake (expectWakes). */
  private expected = new Set<number>();
  /** Threads whose request mmhost answered `pending`: their late reply is due. */
  private readonly inflight = new Set<number>();
  /** Late replies taken before their owner asked (a thread's next request waited for it). */
  private readonly lateReplies = new Map<number, string[]>();
  private nextToken = 1;

  constructor(opts: HostBackendOptions) {
    this.server = opts.server;
    this.tmpdir = opts.tmpdir;
  }

  policies(): Readonly<Record<string, string>> {
    return {};
  }

  processes(): ProcInfo[] {
    return [...this.procs.values()];
  }

  tasks(): TaskInfo[] {
    const asleep = new Set([...this.sleepers.values()].map((x) => x.tid));
    return [...this.threads.values()].filter((t) => t.alive || t.tid === t.pid)
      .sort((a, b) => a.tid - b.tid)
      .map((t) => (t.alive && asleep.has(t.tid) ? { ...t, wchan: "hrtimer_nanosleep" } : t));
  }

  /**
   * Lets the session's time pass: to `ns` from now, or (undefined) to the
   * next sleeper's end. Sleepers whose end has come finish, in order.
   */
  async passTime(ns: number | undefined): Promise<number | null> {
    const ends = [...this.sleepers.entries()].sort((a, b) =>
      a[1].deadline - b[1].deadline || a[0] - b[0]
    );
    let target: number;
    if (ns === undefined) {
      if (ends.length === 0) return null;
      target = Math.max(ends[0][1].deadline, this.clock);
    } else target = this.clock + ns;
    for (const [token, x] of ends) {
      if (x.deadline > target) break;
      this.sleepers.delete(token);
      // The real sleep ran meanwhile; its reply is awaited (the rest of it, if any).
      const res = x.real ? { ret: Number(result(await this.lateOf(x.tid)).ret) } : x.result;
      this.events.push({ kind: "resume", pid: x.tid, token, result: res });
    }
    await this.settle();
    const passed = target - this.clock;
    this.clock = target;
    return passed;
  }

  /**
   * nanosleep, run for real in its thread (mmhost answers when the sleep
   * is over; requests to other threads wait meanwhile: keep durations
   * short). A successful one is reported `pending` and ends when the
   * session's time reaches its end (passTime); an error returns at once.
   */
  private async nanosleep(
    tid: number,
    spec: SyscallSpec,
    values: readonly Value[],
  ): Promise<CallResult> {
    const req = values[0];
    if (req?.type !== "struct") {
      throw new Error("the host times nanosleep only with a {tv_sec=..., tv_nsec=...} literal");
    }
    const r = await this.generic(tid, spec, values, true);
    // Still asleep after mmhost's bound: the timespec was valid (its EINVAL is at once).
    const real = r.pending !== undefined;
    if (!real && r.ret !== 0) return r;
    const b = literalArg(spec, 0, req, values).literal!;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ns = Number(dv.getBigInt64(0, true)) * 1e9 + Number(dv.getBigInt64(8, true));
    // A zero sleep returns at once (hrtimer_nanosleep: the timer has expired).
    if (ns === 0) return { ret: r.ret };
    const token = this.nextToken++;
    this.sleepers.set(token, { tid, deadline: this.clock + ns, result: { ret: r.ret }, real });
    return { ret: 0, pending: token, note: `(thread ${tid} sleeps in hrtimer_nanosleep)` };
  }

  /**
   * A call that went `pending` (mmhost's reply to tid is due) and that a
   * later line wakes (not a timer): registers it, and returns the pending result the session prints as
   * `<unfinished ...>`. `finish` turns its late reply into the result.
   */
  blockedCall(tid: number, finish: (lines: string[]) => CallResult): CallResult {
    const token = this.nextToken++;
    this.inflight.add(tid);
    this.waiters.set(token, { tid, finish });
    return { ret: 0, pending: token, note: `(thread ${tid} is blocked on the host)` };
  }

  /**
   * Tells the settle rule which threads' blocked calls the next line wakes
   * on the emulated machine: the differential runner knows it from mmlab's
   * output, so the host waits for exactly those replies instead of relying
   * on {@link SETTLE_MS} alone (which a loaded host can miss). It holds
   * until the next call; the runner sets it before every line.
   */
  expectWakes(tids: Iterable<number>): void {
    this.expected = new Set(tids);
  }

  /**
   * The settle rule: after each line (a syscall, an access, a view, sleep, wait),
   * while calls that a line may wake are pending, the host waits up to
   * SETTLE_MS for their late replies, and each one that came resumes at
   * this line, in token order, as it does on mmlab at the line whose event
   * woke it. A reply later than that resumes at a later line (a case must
   * not depend on one; keep woken calls quick).
   */
  async settle(ms = SETTLE_MS): Promise<void> {
    const expected = this.expected;
    if (this.waiters.size === 0) return;
    const due = () => [...this.waiters.values()].some((w) => this.hasLate(w.tid));
    if (!due()) await this.server.poll(ms);
    // A call known to be woken by this line (the differential runner saw the
    // emulated machine wake it) is waited for, however loaded the host is.
    const missing = () =>
      [...this.waiters.values()].some((w) => expected.has(w.tid) && !this.hasLate(w.tid));
    for (let waited = 0; missing() && waited < EXPECTED_WAKE_MS; waited += 20) {
      await this.server.poll(20);
    }
    for (const [token, w] of [...this.waiters].sort((a, b) => a[0] - b[0])) {
      if (!this.hasLate(w.tid)) continue;
      this.waiters.delete(token);
      const lines = await this.lateOf(w.tid);
      this.events.push({ kind: "resume", pid: w.tid, token, result: w.finish(lines) });
      this.noteDeath(w.tid, lines);
    }
  }

  /** Whether tid's late reply has come (taking it from the server if so). */
  private hasLate(tid: number): boolean {
    if (this.lateReplies.has(tid)) return true;
    if (!this.inflight.has(tid)) return false;
    const l = this.server.late(tid);
    if (l === undefined) return false;
    this.inflight.delete(tid);
    this.lateReplies.set(tid, l);
    return true;
  }

  /** tid's late reply, waited for if it has not come. */
  private async lateOf(tid: number): Promise<string[]> {
    const got = this.lateReplies.get(tid);
    if (got !== undefined) {
      this.lateReplies.delete(tid);
      return got;
    }
    if (!this.inflight.has(tid)) throw new Error(`host thread ${tid} has no call due`);
    const l = await this.server.awaitLate(tid);
    this.inflight.delete(tid);
    return l;
  }

  takeEvents(): SessionEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  /**
   * Records a death reported as `exit WSTATUS`: the whole thread group
   * (exit_group, a fatal signal), each live thread reporting it as strace
   * -f does.
   */
  private noteDeath(tid: number, lines: string[]): void {
    const l = lines.find((x) => x.startsWith("exit "));
    if (l === undefined) return;
    const st = Number(parseS64(l.slice(5)));
    const pid = this.threads.get(tid)?.pid ?? tid;
    const p = this.procs.get(pid)!;
    p.alive = false;
    p.status = st < 0 ? { code: 255 } : fromWaitStatus(st);
    // do_group_exit(): the other threads in creation order, the leader last
    // (the session prints the calling thread's line first).
    const live = [...this.threads.values()].filter((t) => t.pid === pid && t.alive)
      .sort((a, b) => (a.tid === pid ? 1 : b.tid === pid ? -1 : a.tid - b.tid));
    for (const t of live) {
      t.alive = false;
      // A late reply that never comes.
      this.inflight.delete(t.tid);
      for (const [token, w] of this.waiters) {
        if (w.tid !== t.tid) continue;
        this.waiters.delete(token);
        this.events.push({ kind: "resume", pid: t.tid, token, result: { ret: 0 }, gone: true });
      }
      for (const [token, x] of this.sleepers) {
        if (x.tid !== t.tid) continue;
        // The sleep never ends: strace's `<... nanosleep resumed> = ?`.
        this.sleepers.delete(token);
        this.events.push({ kind: "resume", pid: t.tid, token, result: x.result, gone: true });
      }
      this.events.push({ kind: "exit", pid: t.tid, status: p.status });
    }
  }

  /**
   * One request. A thread whose last request is still due is waited for
   * first (its reply kept for its owner). A `pending` reply is waited for
   * unless `mayBlock` (the caller then reports the call pending).
   */
  private async req(pid: number, text: string, mayBlock = false): Promise<string[]> {
    if (this.inflight.has(pid)) {
      this.lateReplies.set(pid, await this.lateOf(pid));
    }
    const lines = await this.server.call(pid, text);
    if (lines[0] === "dead") throw new Error(`host process ${pid} is gone`);
    if (lines[0] === "busy") throw new Error(`host thread ${pid} is still busy`);
    if (lines[0] === "pending") {
      this.inflight.add(pid);
      if (!mayBlock) return await this.lateOf(pid);
    }
    return lines;
  }

  private hostPath(bytes: Uint8Array): Uint8Array {
    const s = latin1(bytes);
    if (s === "/tmp" || s.startsWith("/tmp/")) {
      const moved = this.tmpdir + s.slice(4);
      return Uint8Array.from(moved, (c) => c.charCodeAt(0) & 0xff);
    }
    return bytes;
  }

  async syscall(pid: number, spec: SyscallSpec, values: readonly Value[]): Promise<CallResult> {
    const r = await this.syscallNow(pid, spec, values);
    await this.settle();
    return r;
  }

  private async syscallNow(
    pid: number,
    spec: SyscallSpec,
    values: readonly Value[],
  ): Promise<CallResult> {
    switch (spec.name) {
      // Virtual ids: the router answers getpid with the thread's process;
      // a thread's virtual tid is the one it is addressed by.
      case "getpid":
        return { ret: Number(result(await this.req(pid, "getpid")).ret) };
      case "gettid":
        await this.req(pid, "getpid");
        return { ret: pid };
      case "fork": {
        const group = this.threads.get(pid)?.pid ?? pid;
        if ([...this.inflight].some((t) => this.threads.get(t)?.pid === group)) {
          // mmhost's channel carries the child's end with the reply; a late reply must not meet it.
          throw new Error(
            "the host does not fork while a thread of the process has a call pending",
          );
        }
        const ret = Number(result(await this.req(pid, "fork")).ret);
        if (ret > 0) {
          this.procs.set(ret, { pid: ret, ppid: this.threads.get(pid)?.pid ?? pid, alive: true });
          this.threads.set(ret, { tid: ret, pid: ret, alive: true });
        }
        return { ret };
      }
      case "clone":
        return { ret: await this.pthread(pid, values.map(num)) };
      case "nanosleep":
        return await this.nanosleep(pid, spec, values);
      // exit ends the thread alone, unless it is the group's last (mmhost: texit, exit_group).
      case "exit": {
        const t = this.threads.get(pid)!;
        const others = [...this.threads.values()].some((x) =>
          x.pid === t.pid && x.tid !== pid && x.alive
        );
        if (t.tid !== t.pid && others) {
          const lines = await this.req(pid, `texit ${hexArg(num(values[0]))}`);
          if (lines.includes("exit 0")) {
            t.alive = false;
            this.events.push({
              kind: "exit",
              pid,
              status: { code: Number(num(values[0]) & 0xffn) },
            });
          }
          return { ret: 0 };
        }
        if (others) {
          throw new Error(
            "the host does not run exit in a main thread whose other threads live on " +
              "(mmhost's main thread reads the channel); use exit_group",
          );
        }
        this.noteDeath(pid, await this.req(pid, `exit ${hexArg(num(values[0]))}`));
        return { ret: 0 };
      }
      case "exit_group":
        this.noteDeath(pid, await this.req(pid, `exit ${hexArg(num(values[0]))}`));
        return { ret: 0 };
      case "signal": {
        const [s, h] = values.map(num);
        return { ret: Number(result(await this.req(pid, `signal ${hexArg(s)} ${hexArg(h)}`)).ret) };
      }
      case "kill":
        // Its pid names an emulated process; on the host it would reach a real one.
        throw new Error("the host does not run kill (its pid names an mmlab process)");
    }
    // A read or write through a user buffer may block in a thread (a
    // userfault in a registered range, which another line resolves).
    const t = this.threads.get(pid);
    const wakeable = USERFAULT_IO.has(spec.name) && t !== undefined && t.tid !== t.pid;
    return await this.generic(pid, spec, values, wakeable, wakeable);
  }

  /** A syscall by its number, arguments and literals as the protocol passes them. */
  private async generic(
    pid: number,
    spec: SyscallSpec,
    values: readonly Value[],
    mayBlock = false,
    woken = false,
  ): Promise<CallResult> {
    const args: string[] = ["0", "0", "0", "0", "0", "0"];
    const extra: string[] = [];
    let literal = false;
    values.forEach((v, i) => {
      if (v.type === "struct" || v.type === "intref") {
        // A literal: its bytes go to a buffer in the subject, read back after
        // (unless the call only reads it).
        const bytes = literalArg(spec, i, v, values).literal!;
        extra.push(`s${i}=${encodeBytes(bytes)}`);
        if (spec.args[i]?.dir !== "in") extra.push(`r${i}=${bytes.length.toString(16)}`);
        literal = true;
      }
      if (v.type === "num") args[i] = hexArg(v.v);
      else if (v.type === "str") {
        const isPath = spec.args[i]?.kind === "path" && spec.name !== "memfd_create";
        extra.push(`s${i}=${encodeBytes(isPath ? this.hostPath(v.bytes) : v.bytes)}`);
      }
    });
    const readsBuf = spec.name === "pread" || spec.name === "read";
    const readsBack = readsBuf || spec.name === "mincore" || literal;
    if (readsBuf) {
      if (values[1]?.type === "str") {
        // A literal buffer is the subject's scratch buffer: never more than
        // mmlab's LITERAL_BUF_MAX (16 MiB, BIGBUF) is read into it.
        extra.push("b1=0");
        if (BigInt.asUintN(64, num(values[2])) > LITERAL_BUF_MAX) args[2] = hexArg(LITERAL_BUF_MAX);
      }
      extra.push("r1=ret");
    }
    if (spec.name === "mincore") {
      const len = BigInt.asUintN(64, num(values[1]));
      const pages = (len >> 12n) + ((len & 0xfffn) !== 0n ? 1n : 0n);
      const vecPages = pages > 257n ? 257 : Number(pages);
      if (values.length < 3) extra.push("b2=0");
      extra.push(`r2=${vecPages.toString(16)}`);
    }
    const lines = await this.req(
      pid,
      `sys ${spec.nr.toString(16)} ${args.join(" ")} ${extra.join(" ")}`,
      mayBlock,
    );
    const finish = (lines: string[]): CallResult => {
      const r = result(lines);
      const out: CallResult = { ret: Number(r.ret) };
      if (readsBack && !isErr(out.ret) && r.data !== undefined) {
        if (r.data === "!") out.note = "(host: the buffer could not be read back)";
        else out.data = decodeBytes(r.data);
      }
      return literal ? structResult(spec, out, values) : out;
    };
    // Blocked past mmhost's bound: another line wakes it (woken), or the caller decides.
    if (lines[0] === "pending") {
      return woken ? this.blockedCall(pid, finish) : { ret: 0, pending: 0 };
    }
    return finish(lines);
  }

  /**
   * pthread_create's clone3 (repl/commands/threads.ts), the one clone the
   * host runs: glibc's pthread_create in the subject on the stack the
   * command mapped (above its guard page, up to struct pthread), a real
   * thread the router gives the next virtual id.
   */
  private async pthread(pid: number, args: bigint[]): Promise<number> {
    const [flags, stack, , , tls] = args;
    if (flags !== BigInt(PTHREAD_CLONE_FLAGS) || stack === 0n) {
      return await this.rawClone(pid, args);
    }
    const lo = stack + GUARD_SIZE, top = tls + TCB_BELOW_TOP;
    const r = result(await this.req(pid, `thread ${hexArg(lo)} ${hexArg(top - lo)}`));
    const tid = Number(r.ret);
    if (tid > 0) {
      this.threads.set(tid, { tid, pid: this.threads.get(pid)?.pid ?? pid, alive: true });
    }
    return tid;
  }

  /**
   * Any other clone runs for real only to show its errno: with no pointer
   * arguments and an exit signal of 0 or SIGCHLD, the subject makes the
   * call and a child that is created exits at once; a success is not
   * compared (mmlab's child lives on), so the line is refused.
   */
  private async rawClone(pid: number, [flags, ...ptrs]: bigint[]): Promise<number> {
    const sig = flags & 0xffn;
    if (ptrs.some((x) => x !== undefined && x !== 0n) || (sig !== 0n && sig !== 17n)) {
      throw new Error(
        "the host runs clone(FLAGS) only without pointers and with exit signal 0 or SIGCHLD; " +
          "threads: pthread_create()",
      );
    }
    const ret = Number(result(await this.req(pid, `rawclone ${hexArg(flags)}`)).ret);
    if (ret >= 0) {
      throw new Error(
        "the host kernel accepted these clone flags; a clone that succeeds is not compared " +
          "(the host's child exits at once): use pthread_create()",
      );
    }
    return ret;
  }

  async view(pid: number, name: ProcView, range?: readonly [number, number]): Promise<string[]> {
    const lines = await this.viewNow(pid, name, range);
    await this.settle();
    return lines;
  }

  private async viewNow(
    pid: number,
    name: ProcView,
    range?: readonly [number, number],
  ): Promise<string[]> {
    if (name === "pagemap") return this.pagemap(pid, range ?? [WINDOW_LO, WINDOW_LO + 4096]);
    // Plain maps/smaps: the window; with ADDR [LEN]: that range.
    const [lo, hi] = range ?? [WINDOW_LO, WINDOW_HI];
    if (lo >= hi) return [];
    const lines = await this.req(pid, `${name} ${hexArg(BigInt(lo))} ${hexArg(BigInt(hi))}`);
    return lines.filter((l) => l.startsWith("l ")).map((l) =>
      l.slice(2).replaceAll(this.tmpdir + "/", "/tmp/")
    );
  }

  /**
   * The subject's /proc/self/pagemap over [lo, hi), read with open, pread
   * and close run in the subject (8 bytes a page), printed by the view's
   * own renderer. Ranges over PAGEMAP_HOST_MAX are not read.
   */
  private async pagemap(pid: number, [lo, hi]: readonly [number, number]): Promise<string[]> {
    const first = Math.floor(lo / 4096), pages = Math.ceil(hi / 4096) - first;
    if (pages > PAGEMAP_HOST_MAX) {
      return [`${NOT_RUN}pagemap over more than ${PAGEMAP_HOST_MAX} pages is not run on the host)`];
    }
    const path = encodeBytes(new TextEncoder().encode("/proc/self/pagemap"));
    const fd = result(await this.req(pid, `sys 2 0 0 0 0 0 0 s0=${path}`)).ret;
    if (fd < 0n) return [`${NOT_RUN}/proc/self/pagemap could not be opened: ${fd})`];
    const len = (pages * 8).toString(16), off = (first * 8).toString(16);
    const r = result(
      await this.req(pid, `sys 11 ${hexArg(fd)} 0 ${len} ${off} 0 0 b1=0 r1=ret`),
    );
    await this.req(pid, `sys 3 ${hexArg(fd)} 0 0 0 0 0`);
    if (r.ret !== BigInt(pages * 8) || r.data === undefined) {
      return [`${NOT_RUN}/proc/self/pagemap read ${r.ret} of ${pages * 8} bytes)`];
    }
    const bytes = decodeBytes(r.data);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const rows: PagemapEntry[] = [];
    for (let i = 0; i < pages; i++) {
      const e = dv.getBigUint64(i * 8, true);
      if (e !== 0n) rows.push(decodePagemapEntry((first + i) * 4096, e));
    }
    return renderPagemap(rows, pages);
  }

  async access(pid: number, op: CpuOp): Promise<CpuResult> {
    const r = await this.accessNow(pid, op);
    await this.settle();
    return r;
  }

  private async accessNow(pid: number, op: CpuOp): Promise<CpuResult> {
    const addr = hexArg(op.addr);
    const req = op.op === "read"
      ? `cpu r ${addr} ${op.len.toString(16)}`
      : op.op === "write"
      ? `cpu w ${addr} ${encodeBytes(op.bytes)}`
      : op.op === "fill"
      ? `cpu f ${addr} ${op.value.toString(16)} ${op.len.toString(16)}`
      : `cpu x ${addr}`;
    // An access may block (a userfault) in a thread; mmhost's main thread
    // reads the channel, so its own accesses are waited for.
    const t = this.threads.get(pid);
    const lines = await this.req(pid, req, t !== undefined && t.tid !== t.pid);
    if (lines[0] === "pending") {
      // Still in the kernel past mmhost's bound: a userfault its handler
      // (another thread's UFFDIO_COPY/ZEROPAGE/WAKE, a close) ends.
      const c = this.blockedCall(pid, (late) => this.lateAccess(pid, op, late));
      return { pending: c.pending!, done: 0, note: c.note! };
    }
    if (lines[0] === "unsupported") {
      const what = { read: "peek", write: "poke", fill: "memset", exec: "exec" }[op.op];
      return {
        unsupported: `${NOT_RUN}${what} at ${formatValue(op.addr)} is not run on the host)`,
      };
    }
    return this.accessReply(pid, op, lines);
  }

  /** A blocked access's late reply as the result its resume line prints (a signal as an event). */
  private lateAccess(pid: number, op: CpuOp, lines: string[]): CallResult {
    const r = this.accessReply(pid, op, lines);
    if ("unsupported" in r || "pending" in r) return { ret: 0 };
    return r.bytes === undefined ? { ret: r.done } : { ret: r.done, data: r.bytes };
  }

  private accessReply(pid: number, op: CpuOp, lines: string[]): CpuResult {
    const first = lines[0].split(" ");
    if (first[0] === "ok") {
      const done = Number(BigInt("0x" + first[1]));
      const r: CpuResult = { done, faulted: false };
      if (op.op === "read") r.bytes = decodeBytes(first[2] ?? "-");
      return r;
    }
    // sig SIGNO CODE ADDR LSB DONE [BYTES]
    const [, signo, code, saddr, lsb, doneHex, data] = first;
    const info: SigInfo = {
      signo: Number(BigInt("0x" + signo)),
      code: Number(BigInt("0x" + code)),
      addr: Number(parseS64(saddr)),
    };
    if (parseS64(lsb) >= 0n) info.addrLsb = Number(BigInt("0x" + lsb));
    this.events.push({ kind: "signal", pid, info });
    this.noteDeath(pid, lines);
    const r: CpuResult = { done: Number(BigInt("0x" + doneHex)), faulted: true };
    if (op.op === "read") r.bytes = decodeBytes(data ?? "-");
    return r;
  }
}
