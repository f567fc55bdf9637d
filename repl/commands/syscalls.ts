/**
 * One call command per entry of the syscall table: `mmap(...)`,
 * `mprotect(...)`, ... Arguments, summary and example come from the table;
 * the result prints as strace prints it.
 * @module
 */

import {
  decodeStruct,
  encodeStruct,
  formatFlags,
  formatStruct,
  formatUffdMsgs,
  ioctlDecl,
  IOCTLS,
  isErr,
  RLIMIT_LAYOUT,
  SYSCALLS,
  type SyscallSpec,
  TIMESPEC,
  uffdMsgForkFds,
  type UserArg,
  USERFAULTFD_IOC_NEW,
} from "../../mod.ts";
import type { CallResult } from "../backend.ts";
import { notRunLine } from "../backend.ts";
import { ReplError } from "../errors.ts";
import { KIND_TEXT } from "../constants.ts";
import { cString, formatReturn, formatVector } from "../format.ts";
import type { ArgDecl, Command, Value } from "./types.ts";
import { syscallRecord } from "../json_result.ts";
import { steppedCall } from "../stepped_call.ts";

/** A mapping for examples that name 0x7f0000000000. */
const MAP_SETUP =
  "mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";
/** A file for examples that use fd 3. */
const FILE_SETUP = 'open("/tmp/f", O_RDWR|O_CREAT, 0644)';

/** The lines an example needs before it, so it shows a real result. */
function setupFor(spec: SyscallSpec): string[] {
  const out: string[] = [];
  const usesFd = spec.args.some((a) => a.kind === "fd");
  if (usesFd && spec.name !== "open") out.push(FILE_SETUP);
  if (spec.example.includes("0x7f0000000000") && spec.name !== "mmap") out.push(MAP_SETUP);
  return out;
}

function argDecl(a: SyscallSpec["args"][number]): ArgDecl {
  const accepts = a.kind === "path"
    ? "str"
    : a.kind === "buf"
    ? "num|str"
    : a.kind === "ioctlarg" || a.kind === "timespec" || a.kind === "rlimit"
    ? "num|struct"
    : "num";
  return { name: a.name, accepts, optional: a.optional, kind: a.kind, text: KIND_TEXT[a.kind] };
}

/**
 * An ioctl's literal argument as the bytes it stands for: a `{struct}` of
 * the layout the request names (lib/abi/ioctl.ts IOCTLS), or an `[int]`
 * for a request that takes a pointer to an int. The kernel side reads and
 * writes them as it would the user memory a pointer names.
 */
export function structArg(
  v: Extract<Value, { type: "struct" | "intref" }>,
  request: Value | undefined,
): UserArg {
  const cmd = request?.type === "num" ? Number(BigInt.asUintN(32, request.v)) : -1;
  const decl = ioctlDecl(cmd);
  const to = decl?.arg.kind === "ptr" ? decl.arg.to : null;
  if (v.type === "intref") {
    if (to !== "int") {
      throw new ReplError(
        decl === undefined
          ? "an [int] needs a request mmlab knows to take a pointer to an int"
          : `${decl.name} does not take a pointer to an int`,
        v.col,
        to !== null ? `write its struct: {...}` : "pass an int or an address",
        "usage",
      );
    }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, Number(BigInt.asIntN(32, v.v)), true);
    return { value: 0n, literal: b };
  }
  if (to === null || to === "int") {
    throw new ReplError(
      decl === undefined
        ? "a {struct} needs a request whose struct mmlab knows"
        : `${decl.name} takes ${to === "int" ? "a pointer to an int" : "no struct"}`,
      v.col,
      to === "int" ? "write [value], or pass an address" : `requests with structs: ${
        structFamilies(
          IOCTLS.filter((d) => d.arg.kind === "ptr" && d.arg.to !== "int").map((d) => d.name),
        )
      }; or pass an address`,
      "usage",
    );
  }
  const bytes = encodeStruct(to, v.value);
  if (typeof bytes === "string") throw new ReplError(bytes, v.col, undefined, "usage");
  return { value: 0n, literal: bytes };
}

/** Request names by family, one line however many there are: `FS_IOC_FSGETXATTR, UFFDIO_*`. */
function structFamilies(names: string[]): string {
  const families = new Map<string, string[]>();
  for (const n of names) {
    const f = n.slice(0, n.indexOf("_") + 1);
    families.set(f, [...(families.get(f) ?? []), n]);
  }
  return [...families].map(([f, ns]) => (ns.length === 1 ? ns[0] : `${f}*`)).join(", ");
}

/** Argument kinds that always take one struct: its layout, its C name, and how to write it. */
const FIXED_STRUCTS = {
  timespec: { layout: TIMESPEC, name: "struct timespec", hint: "write {tv_sec=1, tv_nsec=0}" },
  rlimit: {
    layout: RLIMIT_LAYOUT,
    name: "struct rlimit",
    hint: "write {rlim_cur=..., rlim_max=...}",
  },
} as const;

/** A literal for an argument of one of the {@link FIXED_STRUCTS} kinds. */
function fixedStructArg(
  kind: keyof typeof FIXED_STRUCTS,
  v: Extract<Value, { type: "struct" | "intref" }>,
): UserArg {
  const { layout, name, hint } = FIXED_STRUCTS[kind];
  if (v.type === "intref") throw new ReplError(`a ${name} is not an int`, v.col, hint, "usage");
  const bytes = encodeStruct(layout, v.value);
  if (typeof bytes === "string") throw new ReplError(bytes, v.col, undefined, "usage");
  return { value: 0n, literal: bytes };
}

/**
 * A `{struct}` (or `[int]`) argument of any call as the bytes it stands for:
 * a struct rlimit or timespec for those kinds, else an ioctl's argument
 * ({@link structArg}).
 */
export function literalArg(
  spec: SyscallSpec,
  i: number,
  v: Extract<Value, { type: "struct" | "intref" }>,
  args: readonly Value[],
): UserArg {
  const kind = spec.args[i]?.kind;
  if (kind === "timespec" || kind === "rlimit") return fixedStructArg(kind, v);
  return structArg(v, args[1]);
}

/**
 * A call's result as both backends hand it to {@link resultLine}: an
 * ioctl's literal as {@link ioctlResult} prints it; a struct rlimit the
 * kernel filled in (getrlimit, prlimit64's old_rlim) as strace prints it.
 */
export function structResult(spec: SyscallSpec, r: CallResult, args: readonly Value[]): CallResult {
  if (spec.name === "ioctl") return ioctlResult(r, args);
  const out = spec.args.findIndex((a) => a.kind === "rlimit" && a.dir === "out");
  if (out < 0 || r.data === undefined) return r;
  if (isErr(r.ret) || args[out]?.type !== "struct") return { ret: r.ret };
  return { ret: r.ret, note: formatStruct(RLIMIT_LAYOUT, decodeStruct(RLIMIT_LAYOUT, r.data)) };
}

/**
 * What an ioctl wrote back into its literal, as strace prints it: ` {...}`
 * or ` [5]` (` [FS_EXTENT_FL]` for named bits); nothing for a request that
 * only reads its argument (the value is on the command line already).
 */
export function structOut(request: Value | undefined, data: Uint8Array): string {
  const cmd = request?.type === "num" ? Number(BigInt.asUintN(32, request.v)) : -1;
  const decl = ioctlDecl(cmd);
  if (decl === undefined || decl.arg.kind !== "ptr" || decl.arg.dir === "in") return "";
  if (decl.arg.to === "int") {
    const n = new DataView(data.buffer, data.byteOffset, 4).getInt32(0, true);
    const flags = decl.arg.flags;
    return ` [${flags === undefined ? n : formatFlags(BigInt(n >>> 0), flags)}]`;
  }
  return ` ${formatStruct(decl.arg.to, decodeStruct(decl.arg.to, data))}`;
}

/**
 * An ioctl's result as both backends hand it to {@link resultLine}: the
 * bytes a literal argument came back with become the printed note.
 */
export function ioctlResult(r: CallResult, args: readonly Value[]): CallResult {
  if (r.data === undefined) return r;
  const note = isErr(r.ret) ? "" : structOut(args[1], r.data).trim();
  return note === "" ? { ret: r.ret } : { ret: r.ret, note };
}

/** What a call's result line shows beyond the value, for the calls that return data. */
const DATA_HELP: Record<string, string> = {
  mincore: "Without vec, the vector follows the result, one entry a page: = 0 [1, 0, 0, 1].",
  pread: 'The bytes read follow the result, as strace shows a buffer: = 5 "hello".',
  getrlimit: "Given {}, the limit follows the result as strace prints it:\n" +
    "= 0 {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}. Given an address, read it with peek.",
  prlimit64: "Given {} as old_rlim, the old limit follows the result as strace prints it.",
  read: 'The bytes read follow the result, as strace shows a buffer: = 5 "hello".\n' +
    "From a userfaultfd, the struct uffd_msgs follow decoded:\n" +
    "= 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7f0000000000, feat={ptid=0}}}.",
  ioctl: "arg is an int, an address of the struct in memory, or the struct itself written as\n" +
    "strace prints it: {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING}\n" +
    "(fields left out are 0), or [value] for an int passed by pointer. Given a literal,\n" +
    "what the kernel wrote into it follows the result, as strace prints the `=> {...}`\n" +
    "part of an in-out struct: = 0 {fsx_xflags=0, ...}, = 0 [5]; nothing follows for a\n" +
    "request that only reads its argument. Given an address, read it back with peek.",
};

/** Calls whose result line is not the usual one. */
const RESULT_HELP: Record<string, string> = {
  exit: "The call does not return: = ? as strace prints, then +++ exited with N +++.\n" +
    "It ends the calling thread only (SYS_exit); the process ends with its last\n" +
    "thread. The REPL then switches to another thread of the process, or to the\n" +
    "parent, or the lowest live pid, and says so.",
  exit_group: "The call does not return: = ? then +++ exited with N +++ for every thread\n" +
    "(others marked [pid TID]); the REPL then switches as after exit.",
  nanosleep: "A sleep of more than 0 blocks the thread: <unfinished ...> (thread T sleeps\n" +
    "in hrtimer_nanosleep), and the prompt comes back. sleep or wait let virtual time\n" +
    "pass; when the timer fires the call ends: [pid T] <... nanosleep resumed> = 0.\n" +
    "= -1 EINVAL for tv_nsec outside 0..999999999 or tv_sec < 0, EFAULT for a bad req.",
  clone: "Prints the new task's id. copy_process() refuses CLONE_THREAD without\n" +
    "CLONE_SIGHAND and CLONE_SIGHAND without CLONE_VM (EINVAL), among others. A\n" +
    "thread runs commands with @TID; pthread_create() passes glibc's flags.",
};

function longHelp(spec: SyscallSpec): string {
  if (RESULT_HELP[spec.name]) return RESULT_HELP[spec.name];
  const ret = spec.ret === "addr"
    ? "Prints the address it returns (= 0x7f...), or = -1 ERRNO (text) on failure."
    : "Prints the value it returns, or = -1 ERRNO (text) on failure.";
  return DATA_HELP[spec.name] ? `${ret}\n${DATA_HELP[spec.name]}` : ret;
}

/**
 * A call's result as strace prints it: `= 0x7f...`, `= -1 EINVAL (...)`,
 * and for the calls that hand data back, the data (`= 5 "hello"`).
 */
export function resultLine(spec: SyscallSpec, r: CallResult): string {
  let line = formatReturn(r.ret, spec.ret);
  if (r.data !== undefined && !isErr(r.ret)) {
    const hasBuf = spec.args.some((a) => a.kind === "buf");
    line += ` ${hasBuf ? cString(r.data) : formatVector(r.data)}`;
  }
  return r.note === undefined ? line : `${line} ${r.note}`;
}

/**
 * Keeps {@link CommandContext.uffds}: a new userfaultfd (userfaultfd(),
 * ioctl USERFAULTFD_IOC_NEW on /dev/userfaultfd) joins, a closed fd leaves.
 */
function trackUffds(
  uffds: Set<number>,
  spec: SyscallSpec,
  values: readonly Value[],
  r: CallResult,
): void {
  if (isErr(r.ret)) return;
  const arg = (i: number) => values[i]?.type === "num" ? Number(values[i].v) : -1;
  if (spec.name === "userfaultfd") uffds.add(r.ret);
  else if (spec.name === "ioctl" && arg(1) === USERFAULTFD_IOC_NEW) uffds.add(r.ret);
  else if (spec.name === "close") uffds.delete(arg(0));
}

/**
 * A read() of a userfaultfd: its `struct uffd_msg`s decoded (lib/abi/uffd_msg.ts),
 * the FORK messages' ufds joining `uffds`; bytes that are not messages print as a buffer.
 */
function uffdReadLine(uffds: Set<number>, spec: SyscallSpec, r: CallResult): string {
  const msgs = r.data !== undefined && !isErr(r.ret) ? formatUffdMsgs(r.data) : null;
  if (msgs === null) return resultLine(spec, r);
  for (const fd of uffdMsgForkFds(r.data!)) uffds.add(fd);
  return `${formatReturn(r.ret, spec.ret)} ${msgs}`;
}

/** The value `x = call(...)` assigns: the result, or -1 on failure as in C. */
export function resultValue(r: CallResult): bigint {
  return isErr(r.ret) ? -1n : BigInt(r.ret);
}

/**
 * Calls that start or block a thread: run only where the backend runs
 * threads (tasks()); elsewhere they print `(host: clone is not run on the
 * host)`.
 */
const THREADED: ReadonlySet<string> = new Set(["clone", "nanosleep"]);

function toCommand(spec: SyscallSpec): Command {
  const args = spec.args.map(argDecl);
  return {
    name: spec.name,
    form: "call",
    group: "syscall",
    args,
    summary: spec.summary,
    help: longHelp(spec),
    example: [...setupFor(spec), spec.example],
    needsProcess: true,
    anyBackend: true,
    async run(ctx, values) {
      // A call that starts or blocks a thread needs a backend that runs threads.
      if (THREADED.has(spec.name) && ctx.backend.tasks === undefined) {
        ctx.out.push(notRunLine(spec.name));
        return undefined;
      }
      // At a prompt, a populate runs in steps that Ctrl-C can stop (repl/stepped_call.ts).
      const r = await steppedCall(ctx, spec, values) ??
        await ctx.backend.syscall(ctx.pid, spec, values);
      ctx.record?.(syscallRecord(spec.name, values, r));
      // A read() of a userfaultfd prints its messages decoded.
      const uffds = ctx.uffds;
      const fd = values[0]?.type === "num" ? Number(values[0].v) : -1;
      const line = spec.name === "read" && uffds?.has(fd)
        ? (x: CallResult) => uffdReadLine(uffds, spec, x)
        : (x: CallResult) => resultLine(spec, x);
      if (r.pending !== undefined) {
        // strace's form for a call that blocks; the end prints as `<... NAME resumed>`.
        ctx.out.push(r.note === undefined ? "<unfinished ...>" : `<unfinished ...> ${r.note}`);
        ctx.unfinished(r.pending, { name: spec.name, line, value: resultValue });
        return undefined;
      }
      if (!ctx.alive()) {
        ctx.out.push("= ?");
        return undefined;
      }
      if (uffds !== undefined) trackUffds(uffds, spec, values, r);
      ctx.out.push(line(r));
      ctx.callDone?.(r);
      return resultValue(r);
    },
  };
}

/** The syscall commands, in table order. */
export const SYSCALL_COMMANDS: readonly Command[] = SYSCALLS.map(toCommand);
