/**
 * Threads and time: `pthread_create()` (what glibc does to start a
 * thread), `sleep DURATION` (the REPL user lets virtual time pass) and
 * `wait [TID]` (until the next timer fires, or until a thread's blocked
 * call finishes). A call that blocks prints `<unfinished ...>` and the
 * prompt comes back; its end prints when time passes, marked with its
 * thread: `[pid 2] <... nanosleep resumed> = 0`.
 * @module
 */

import { CLONE_FLAG_NAMES, isErr, mman, PTHREAD_CLONE_FLAGS, SYSCALLS } from "../../mod.ts";
import { notRunLine } from "../backend.ts";
import { ReplError } from "../errors.ts";
import { formatReturn } from "../format.ts";
import type { Command, Value } from "./types.ts";
import { actionRecord, callRecord, syscallRecord } from "../json_result.ts";

/** glibc's default thread stack (RLIMIT_STACK, 8 MiB) plus its guard page. */
const STACK_SIZE = 8 << 20;
const GUARD_SIZE = 4096;
/** Where glibc puts struct pthread below the stack's top, and its tid field (x86-64). */
const TCB_BELOW_TOP = 0x9c0;
const TID_OFFSET = 0x2d0;
/** The static TLS block below struct pthread, left out of clone3's stack_size. */
const STATIC_TLS = 0x740;

const hex = (v: bigint | number) => `0x${BigInt(v).toString(16)}`;

function cloneFlags(f: number): string {
  return CLONE_FLAG_NAMES.filter(([, bit]) => (f & bit) === bit).map(([n]) => n).join("|");
}

const pthreadCreate: Command = {
  name: "pthread_create",
  form: "call",
  group: "syscall",
  args: [],
  summary: "start a thread as glibc does: a stack, then clone3 with pthread's flags",
  help: [
    "Runs what glibc's pthread_create() makes the kernel do, and prints it as strace -f",
    "would: the stack (8 MiB and a PROT_NONE guard page below it), then clone3 with",
    "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|",
    "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, the thread's tid stored in its struct",
    "pthread at the stack's top. t = pthread_create() sets t to the new tid; @t runs",
    "a command in the thread.",
  ].join("\n"),
  example: ["t = pthread_create()", "@t gettid()"],
  needsProcess: true,
  anyBackend: true,
  async run(ctx) {
    // A backend without threads (no tasks()) cannot start one.
    if (ctx.backend.tasks === undefined) {
      ctx.out.push(notRunLine("pthread_create"));
      return undefined;
    }
    // The three calls go through the backend: the emulated machine runs
    // them, the host runs mmap and mprotect for real and starts a real
    // thread (glibc's pthread_create on that stack) for the clone3.
    const call = async (name: string, args: bigint[]): Promise<number> => {
      const spec = SYSCALLS.find((s) => s.name === name)!;
      const values: Value[] = args.map((v) => ({ type: "num", v, col: 0 }));
      const r = await ctx.backend.syscall(ctx.pid, spec, values);
      ctx.record?.(syscallRecord(name, values, r));
      return r.ret;
    };
    /** The call's own record: the new tid (or -1 and errno) and where its stack and TLS are. */
    const done = (ret: number, out: Record<string, number> | null) =>
      ctx.record?.(
        callRecord("pthread_create", [], isErr(ret) ? -1 : ret, isErr(ret) ? -ret : null, out),
      );
    const mapFlags = mman.MAP_PRIVATE | mman.MAP_ANONYMOUS | mman.MAP_STACK;
    const size = STACK_SIZE + GUARD_SIZE;
    const base = await call("mmap", [0n, BigInt(size), 0n, BigInt(mapFlags), -1n, 0n]);
    ctx.out.push(
      `mmap(NULL, ${size}, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) ${
        formatReturn(base, "addr")
      }`,
    );
    if (isErr(base)) {
      done(base, null);
      return -1n;
    }
    const rw = mman.PROT_READ | mman.PROT_WRITE;
    const mp = await call("mprotect", [BigInt(base + GUARD_SIZE), BigInt(STACK_SIZE), BigInt(rw)]);
    ctx.out.push(
      `mprotect(${hex(base + GUARD_SIZE)}, ${STACK_SIZE}, PROT_READ|PROT_WRITE) ${
        formatReturn(mp, "int")
      }`,
    );
    if (isErr(mp)) {
      done(mp, null);
      return -1n;
    }
    const tls = base + size - TCB_BELOW_TOP;
    const tidp = tls + TID_OFFSET;
    const r = await call("clone", [
      BigInt(PTHREAD_CLONE_FLAGS),
      BigInt(base),
      BigInt(tidp),
      BigInt(tidp),
      BigInt(tls),
    ]);
    done(r, { stack: base, stackSize: size, guard: GUARD_SIZE, tls, tidAddr: tidp });
    const out = isErr(r) ? "" : ` => {parent_tid=[${r}]}`;
    ctx.out.push(
      `clone3({flags=${cloneFlags(PTHREAD_CLONE_FLAGS)}, child_tid=${hex(tidp)}, ` +
        `parent_tid=${hex(tidp)}, exit_signal=0, stack=${hex(base)}, ` +
        `stack_size=${hex(tls - base - STATIC_TLS)}, ` +
        `tls=${hex(tls)}}${out}, 88) ${formatReturn(r, "int")}`,
    );
    return isErr(r) ? -1n : BigInt(r);
  },
};

/** `1s`, `1.5s`, `200ms`, `10us`, `100ns`, or a bare number of seconds, in ns. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|ms|us|ns)?$/.exec(text);
  if (m === null) return null;
  const scale = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[(m[2] ?? "s") as "s" | "ms" | "us" | "ns"];
  const ns = Math.round(Number(m[1]) * scale);
  return Number.isSafeInteger(ns) ? ns : null;
}

/** `1.000000000s` passed. */
function formatNs(ns: number): string {
  return `${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, "0")}s`;
}

const sleep: Command = {
  name: "sleep",
  form: "word",
  group: "session",
  args: [{ name: "DURATION", accepts: "word", text: "1s, 1.5s, 200ms, 10us, 100ns" }],
  summary: "let virtual time pass: timers due fire in order, woken threads finish their calls",
  help: [
    "The REPL user waits while the machine's virtual clock advances by DURATION",
    "(a number of seconds, or with s, ms, us or ns). Timers expiring on the way fire",
    "in order, and each thread they wake finishes its call: its result prints as",
    "[pid TID] <... nanosleep resumed> = 0.",
  ].join("\n"),
  example: ["@1", "t = pthread_create()", "@t nanosleep({tv_sec=1, tv_nsec=0})", "sleep 1s"],
  needsProcess: false,
  anyBackend: true,
  async run(ctx, [d]) {
    const text = d?.type === "word" ? d.text : "";
    const ns = parseDuration(text);
    if (ns === null) {
      throw new ReplError(
        `${JSON.stringify(text)} is not a duration`,
        d?.col,
        "write 1s, 1.5s, 200ms, 10us or 100ns",
        "usage",
      );
    }
    if (ctx.backend.passTime === undefined) {
      ctx.out.push(notRunLine("sleep"));
      return undefined;
    }
    await ctx.backend.passTime(ns);
    ctx.record?.(actionRecord("sleep", { ns }));
    return undefined;
  },
};

const wait: Command = {
  name: "wait",
  form: "word",
  group: "session",
  args: [{ name: "TID", accepts: "num", optional: true, text: "a blocked thread" }],
  summary: "let virtual time pass until the next timer fires, or until thread TID's call ends",
  help: [
    "Without TID: the clock jumps to the next armed timer, which fires (and what it",
    "woke finishes its call). With TID: timers fire in order until that thread's",
    "blocked call has finished. Prints how much virtual time passed.",
  ].join("\n"),
  example: ["t = pthread_create()", "@t nanosleep({tv_sec=0, tv_nsec=500000})", "wait t"],
  needsProcess: false,
  anyBackend: true,
  async run(ctx, [tidArg]) {
    const pass = ctx.backend.passTime;
    if (pass === undefined) {
      ctx.out.push(`(${ctx.backend.name}: no virtual clock to advance)`);
      return undefined;
    }
    const tasks = () => ctx.backend.tasks?.() ?? [];
    if (tidArg === undefined) {
      const ns = await pass.call(ctx.backend, undefined);
      ctx.record?.(actionRecord("wait", { tid: null, ns, blocked: null }));
      if (ns === null) ctx.out.push("(nothing to wait for: no timer is armed)");
      else {
        ctx.flushEvents();
        ctx.out.push(`(${formatNs(ns)} passed)`);
      }
      return undefined;
    }
    const tid = Number((tidArg as Extract<Value, { type: "num" }>).v);
    const find = () => tasks().find((t) => t.tid === tid);
    const t = find();
    if (t === undefined || !t.alive) {
      throw new ReplError(`no live thread ${tid}`, tidArg.col, "threads lists them", "process");
    }
    if (t.wchan === undefined) {
      ctx.record?.(actionRecord("wait", { tid, ns: 0, blocked: null }));
      ctx.out.push(`(thread ${tid} is not blocked)`);
      return undefined;
    }
    let total = 0;
    while (find()?.wchan !== undefined) {
      const ns = await pass.call(ctx.backend, undefined);
      if (ns === null) {
        // No timer will wake it: the time that passed, and where it still sleeps.
        ctx.record?.(actionRecord("wait", { tid, ns: total, blocked: find()?.wchan ?? null }));
        ctx.flushEvents();
        ctx.out.push(`(thread ${tid} sleeps in ${find()?.wchan}; no timer will wake it)`);
        return undefined;
      }
      total += ns;
    }
    ctx.record?.(actionRecord("wait", { tid, ns: total, blocked: null }));
    ctx.flushEvents();
    ctx.out.push(`(${formatNs(total)} passed)`);
    return undefined;
  },
};

/** The thread and time commands. */
export const THREAD_COMMANDS: readonly Command[] = [pthreadCreate, sleep, wait];
