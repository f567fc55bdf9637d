/**
 * The syscall table: every call the machine offers, declared once with its
 * argument kinds (for parsing, completion and strace-style decoding), its
 * return kind, a summary, a runnable example, and the function that runs
 * it. The REPL, the docs and the host-kernel oracle read this table.
 *
 * Implementations take the calling process and u64 register values
 * (`bigint | number`), except the kinds `path`/`buf` which carry strings or
 * bytes, and return the raw kernel result: >= 0 on success, -errno on
 * failure; calls that hand data back return a {@link SysOut}.
 * @module
 */

import type { Process } from "./proc/process.ts";
import { COST_SYSCALL_NS } from "./util/clock.ts";
import { errnoName } from "./abi/errno.ts";
import type { KernelTrace } from "./trace/kernel_trace.ts";
import { sysMmap } from "./mm/mmap.ts";
import { sysMunmap } from "./mm/munmap.ts";
import { sysMprotect } from "./mm/mprotect.ts";
import { sysMremap } from "./mm/mremap.ts";
import { sysMadvise } from "./mm/madvise.ts";
import { sysMlock, sysMlock2, sysMlockall, sysMunlock, sysMunlockall } from "./mm/mlock.ts";
import { sysMsync } from "./mm/msync.ts";
import { sysMincore } from "./mm/mincore.ts";
import { sysClone, sysFork } from "./proc/fork.ts";
import { sysNanosleep } from "./time/nanosleep.ts";
import type { Task } from "./proc/task.ts";
import { sysBrk } from "./mm/brk.ts";
import {
  sysClose,
  sysFallocate,
  sysFtruncate,
  sysMemfdCreate,
  sysOpen,
  sysPread,
  sysPwrite,
  sysUnlink,
} from "./fs/syscalls.ts";
import { sysLseek, sysRead, sysWrite } from "./fs/read_write.ts";
import { sysExit, sysExitGroup, sysGetpid, sysGettid, sysSignal } from "./proc/exit.ts";
import { sysKill } from "./proc/signal.ts";
import { sysFcntl } from "./fs/locks.ts";
import { sysGetrlimit, sysPrlimit64, sysSetrlimit } from "./proc/resource.ts";
import { sysIoctl } from "./fs/ioctl.ts";
import { sysUserfaultfd } from "./fs/userfaultfd.ts";
import { sysEventfd2 } from "./fs/eventfd.ts";
import { sysRemapAnonPages } from "./mm/remap_anon_pages.ts";
import { WouldBlock } from "./sched/wait.ts";
import { madviseLocked, mmapWriteLocked } from "./mm/mmap_lock.ts";
import { WCHAN_UFFD_EVENT } from "./mm/userfaultfd_k.ts";

/** A result with data: pread's bytes, mincore's vector, an ioctl struct literal as written back. */
export interface SysOut {
  /** The return value: >= 0, or -errno. */
  ret: number;
  /** The bytes the call hands back to the caller, if any. */
  data?: Uint8Array;
  /**
   * The calling thread blocked: the call finishes later, reported by a
   * `resume` event with this token (lib/sched/core.ts).
   */
  pending?: number;
}

/** How an argument is parsed and how strace would print it. */
export type ArgKind =
  | "addr"
  | "len"
  | "int"
  | "prot"
  | "mapflags"
  | "fd"
  | "off"
  | "advice"
  | "mremapflags"
  | "mlockflags"
  | "mcl"
  | "msflags"
  | "oflags"
  | "mode"
  | "falloc"
  | "signal"
  | "handler"
  | "memfdflags"
  | "path"
  | "buf"
  | "ioctlreq"
  | "ioctlarg"
  | "cloneflags"
  | "timespec"
  | "whence"
  | "resource"
  | "rlimit";

/** One argument of a syscall: its name as in the man page and how it parses and prints. */
export interface ArgSpec {
  /** The argument's name (`addr`, `length`). */
  name: string;
  /** How it is parsed and printed. */
  kind: ArgKind;
  /** May be left out (trailing). */
  optional?: boolean;
  /**
   * A pointer to a struct (kind `rlimit`): `in` if the kernel only reads it,
   * `out` if it writes it back (printed after the result, as strace does).
   */
  dir?: "in" | "out";
}

/** How the result prints: `= 0x7f…` for addresses, decimal otherwise. */
export type RetKind = "addr" | "int";

/** A syscall the REPL knows: its number, arguments, result form and implementation. */
export interface SyscallSpec {
  /** The name strace prints (`mmap`). */
  name: string;
  /**
   * The x86-64 syscall number (arch/x86/entry/syscalls/syscall_64.tbl); the
   * host backend runs the call by it. `signal` is rt_sigaction (13).
   */
  nr: number;
  /** The arguments, in order. */
  args: ArgSpec[];
  /** How the result prints. */
  ret: RetKind;
  /** One line for `help`. */
  summary: string;
  /** A command line that runs it, replayed by the tests. */
  example: string;
  /** Runs the call in process `p` with the parsed arguments: the result or -errno. */
  // deno-lint-ignore no-explicit-any
  impl: (p: Process, ...args: any[]) => number | SysOut;
}

const a = (name: string, kind: ArgKind, optional = false): ArgSpec => ({ name, kind, optional });
const ptrIn = (name: string, kind: ArgKind): ArgSpec => ({ name, kind, dir: "in" });
const ptrOut = (name: string, kind: ArgKind, optional = false): ArgSpec => ({
  name,
  kind,
  optional,
  dir: "out",
});

/** Every syscall the machine implements, in the order `help` lists them. */
export const SYSCALLS: readonly SyscallSpec[] = [
  {
    name: "mmap",
    nr: 9,
    args: [
      a("addr", "addr"),
      a("length", "len"),
      a("prot", "prot"),
      a("flags", "mapflags"),
      a("fd", "fd"),
      a("offset", "off"),
    ],
    ret: "addr",
    summary: "map pages into the address space",
    example: "mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    impl: mmapWriteLocked(sysMmap),
  },
  {
    name: "munmap",
    nr: 11,
    args: [a("addr", "addr"), a("length", "len")],
    ret: "int",
    summary: "remove mappings",
    example: "munmap(0x7f0000000000, 4K)",
    impl: mmapWriteLocked(sysMunmap),
  },
  {
    name: "mprotect",
    nr: 10,
    args: [a("addr", "addr"), a("length", "len"), a("prot", "prot")],
    ret: "int",
    summary: "change the protection of mappings",
    example: "mprotect(0x7f0000000000, 4K, PROT_READ)",
    impl: mmapWriteLocked(sysMprotect),
  },
  {
    name: "mremap",
    nr: 25,
    args: [
      a("old_address", "addr"),
      a("old_size", "len"),
      a("new_size", "len"),
      a("flags", "mremapflags"),
      a("new_address", "addr", true),
    ],
    ret: "addr",
    summary: "grow, shrink or move a mapping",
    example: "mremap(0x7f0000000000, 4K, 8K, MREMAP_MAYMOVE)",
    impl: mmapWriteLocked(sysMremap),
  },
  {
    name: "madvise",
    nr: 28,
    args: [a("addr", "addr"), a("length", "len"), a("advice", "advice")],
    ret: "int",
    summary: "give advice about use of memory",
    example: "madvise(0x7f0000000000, 4K, MADV_DONTNEED)",
    impl: madviseLocked(sysMadvise),
  },
  {
    name: "mlock",
    nr: 149,
    args: [a("addr", "addr"), a("len", "len")],
    ret: "int",
    summary: "lock pages in memory",
    example: "mlock(0x7f0000000000, 4K)",
    impl: mmapWriteLocked(sysMlock),
  },
  {
    name: "mlock2",
    nr: 325,
    args: [a("addr", "addr"), a("len", "len"), a("flags", "mlockflags")],
    ret: "int",
    summary: "lock pages in memory, optionally on fault",
    example: "mlock2(0x7f0000000000, 4K, MLOCK_ONFAULT)",
    impl: mmapWriteLocked(sysMlock2),
  },
  {
    name: "munlock",
    nr: 150,
    args: [a("addr", "addr"), a("len", "len")],
    ret: "int",
    summary: "unlock pages",
    example: "munlock(0x7f0000000000, 4K)",
    impl: mmapWriteLocked(sysMunlock),
  },
  {
    name: "mlockall",
    nr: 151,
    args: [a("flags", "mcl")],
    ret: "int",
    summary: "lock all current and/or future mappings",
    example: "mlockall(MCL_CURRENT)",
    impl: mmapWriteLocked(sysMlockall),
  },
  {
    name: "munlockall",
    nr: 152,
    args: [],
    ret: "int",
    summary: "unlock every mapping",
    example: "munlockall()",
    impl: mmapWriteLocked(sysMunlockall),
  },
  {
    name: "msync",
    nr: 26,
    args: [a("addr", "addr"), a("length", "len"), a("flags", "msflags")],
    ret: "int",
    summary: "synchronize a file mapping with the file",
    example: "msync(0x7f0000000000, 4K, MS_SYNC)",
    impl: sysMsync,
  },
  {
    name: "mincore",
    nr: 27,
    args: [a("addr", "addr"), a("length", "len"), a("vec", "addr", true)],
    ret: "int",
    summary: "which pages are resident",
    example: "mincore(0x7f0000000000, 16K)",
    impl: sysMincore,
  },
  {
    name: "brk",
    nr: 12,
    args: [a("addr", "addr")],
    ret: "addr",
    summary: "move the program break (the end of [heap]); returns the new or the old break",
    example: "brk(0)",
    impl: mmapWriteLocked(sysBrk),
  },
  {
    name: "fork",
    nr: 57,
    args: [],
    ret: "int",
    summary: "create a child process (COW copy of the address space)",
    example: "fork()",
    impl: sysFork,
  },
  {
    name: "exit",
    nr: 60,
    args: [a("status", "int")],
    ret: "int",
    summary: "end the calling thread (the process ends with its last thread)",
    example: "exit(0)",
    impl: sysExit,
  },
  {
    name: "exit_group",
    nr: 231,
    args: [a("status", "int")],
    ret: "int",
    summary: "end every thread of the process",
    example: "exit_group(0)",
    impl: sysExitGroup,
  },
  {
    name: "clone",
    nr: 56,
    args: [
      a("flags", "cloneflags"),
      a("stack", "addr", true),
      a("parent_tid", "addr", true),
      a("child_tid", "addr", true),
      a("tls", "addr", true),
    ],
    ret: "int",
    summary: "create a thread (CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) or a process; returns its id",
    example: "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM)",
    impl: sysClone,
  },
  {
    name: "gettid",
    nr: 186,
    args: [],
    ret: "int",
    summary: "the calling thread's id",
    example: "gettid()",
    impl: sysGettid,
  },
  {
    name: "nanosleep",
    nr: 35,
    args: [a("req", "timespec"), a("rem", "addr", true)],
    ret: "int",
    summary: "sleep the thread on the virtual clock (req: an address or {tv_sec=1, tv_nsec=0})",
    example: "nanosleep({tv_sec=0, tv_nsec=0})",
    impl: sysNanosleep,
  },
  {
    name: "getpid",
    nr: 39,
    args: [],
    ret: "int",
    summary: "the process id",
    example: "getpid()",
    impl: sysGetpid,
  },
  {
    name: "signal",
    nr: 13,
    args: [a("signum", "signal"), a("handler", "handler")],
    ret: "int",
    summary: "set what SIGSEGV/SIGBUS do: SIG_DFL (die), SIG_IGN, or SIG_CATCH (report, go on)",
    example: "signal(SIGSEGV, SIG_DFL)",
    impl: sysSignal,
  },
  {
    name: "fcntl",
    nr: 72,
    args: [a("fd", "fd"), a("cmd", "int"), a("arg", "int", true)],
    ret: "int",
    summary: "file leases: F_SETLEASE (F_RDLCK, F_WRLCK, F_UNLCK), F_GETLEASE, F_SETSIG, F_GETSIG",
    example: "fcntl(0, F_GETLEASE)",
    impl: sysFcntl,
  },
  {
    name: "kill",
    nr: 62,
    args: [a("pid", "int"), a("sig", "signal")],
    ret: "int",
    summary: "send a signal to a process (a caught one ends an interruptible wait with EINTR)",
    example: "kill(1, 0)",
    impl: sysKill,
  },
  {
    name: "open",
    nr: 2,
    args: [a("pathname", "path"), a("flags", "oflags"), a("mode", "mode", true)],
    ret: "int",
    summary: "open or create a file",
    example: 'open("/tmp/f", O_RDWR|O_CREAT, 0644)',
    impl: sysOpen,
  },
  {
    name: "close",
    nr: 3,
    args: [a("fd", "fd")],
    ret: "int",
    summary: "close a file descriptor",
    example: "close(3)",
    impl: sysClose,
  },
  {
    name: "ftruncate",
    nr: 77,
    args: [a("fd", "fd"), a("length", "off")],
    ret: "int",
    summary: "set a file's size",
    example: "ftruncate(3, 8K)",
    impl: sysFtruncate,
  },
  {
    name: "read",
    nr: 0,
    args: [a("fd", "fd"), a("buf", "buf"), a("count", "len")],
    ret: "int",
    summary: "read from a file at its position (f_pos), which moves on (buf: an address)",
    example: "read(3, 0x7f0000000000, 5)",
    impl: sysRead,
  },
  {
    name: "write",
    nr: 1,
    args: [a("fd", "fd"), a("buf", "buf"), a("count", "len")],
    ret: "int",
    summary:
      'write to a file at its position, or its end with O_APPEND (buf: an address or a "string")',
    example: 'write(3, "hello", 5)',
    impl: sysWrite,
  },
  {
    name: "lseek",
    nr: 8,
    args: [a("fd", "fd"), a("offset", "off"), a("whence", "whence")],
    ret: "int",
    summary: "move a file's position: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE",
    example: "lseek(3, 0, SEEK_END)",
    impl: sysLseek,
  },
  {
    name: "pread",
    nr: 17,
    args: [a("fd", "fd"), a("buf", "buf"), a("count", "len"), a("offset", "off")],
    ret: "int",
    summary: "read from a file at an offset into memory (buf: an address)",
    example: "pread(3, 0x7f0000000000, 5, 0)",
    impl: sysPread,
  },
  {
    name: "pwrite",
    nr: 18,
    args: [a("fd", "fd"), a("buf", "buf"), a("count", "len"), a("offset", "off")],
    ret: "int",
    summary: 'write to a file at an offset (buf: an address or a "string")',
    example: 'pwrite(3, "hello", 5, 0)',
    impl: sysPwrite,
  },
  {
    name: "fallocate",
    nr: 285,
    args: [a("fd", "fd"), a("mode", "falloc"), a("offset", "off"), a("len", "len")],
    ret: "int",
    summary: "allocate or punch holes in a file",
    example: "fallocate(3, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 0, 4K)",
    impl: sysFallocate,
  },
  {
    name: "unlink",
    nr: 87,
    args: [a("pathname", "path")],
    ret: "int",
    summary: "remove a file name",
    example: 'unlink("/tmp/f")',
    impl: sysUnlink,
  },
  {
    name: "memfd_create",
    nr: 319,
    args: [a("name", "path"), a("flags", "memfdflags", true)],
    ret: "int",
    summary: "create an anonymous shmem file",
    example: 'memfd_create("buf", 0)',
    impl: sysMemfdCreate,
  },
  {
    name: "userfaultfd",
    nr: 323,
    args: [a("flags", "oflags", true)],
    ret: "int",
    summary: "create a userfaultfd context on this mm (fs/userfaultfd.c)",
    example: "userfaultfd(O_CLOEXEC|O_NONBLOCK)",
    impl: sysUserfaultfd,
  },
  {
    name: "eventfd2",
    nr: 290,
    args: [a("initval", "int"), a("flags", "int", true)],
    ret: "int",
    summary: "create an eventfd: a counter to signal through (fs/eventfd.c)",
    example: "eventfd2(0, EFD_CLOEXEC)",
    impl: sysEventfd2,
  },
  {
    name: "remap_anon_pages",
    nr: 335,
    args: [a("dst", "addr"), a("src", "addr"), a("len", "len"), a("flags", "int", true)],
    ret: "int",
    summary: "move anonymous pages without copying (2014 RFC, policy uffd.remap)",
    example: "remap_anon_pages(0x7f0000000000, 0x7f0000100000, 4K, 0)",
    impl: sysRemapAnonPages,
  },
  {
    name: "ioctl",
    nr: 16,
    args: [a("fd", "fd"), a("request", "ioctlreq"), a("arg", "ioctlarg", true)],
    ret: "int",
    summary: "a device- or file-specific request (arg: an int, an address, or a {struct})",
    example: "ioctl(3, FS_IOC_FSGETXATTR, {})",
    impl: sysIoctl,
  },
  {
    name: "getrlimit",
    nr: 97,
    args: [a("resource", "resource"), ptrOut("rlim", "rlimit")],
    ret: "int",
    summary: "read a resource limit (rlim: an address, or {} to print it as strace does)",
    example: "getrlimit(RLIMIT_STACK, {})",
    impl: sysGetrlimit,
  },
  {
    name: "setrlimit",
    nr: 160,
    args: [a("resource", "resource"), ptrIn("rlim", "rlimit")],
    ret: "int",
    summary: "set a resource limit (rlim: {rlim_cur=..., rlim_max=...} or an address)",
    example: "setrlimit(RLIMIT_MEMLOCK, {rlim_cur=64*1024, rlim_max=8192*1024})",
    impl: sysSetrlimit,
  },
  {
    name: "prlimit64",
    nr: 302,
    args: [
      a("pid", "int"),
      a("resource", "resource"),
      ptrIn("new_rlim", "rlimit"),
      ptrOut("old_rlim", "rlimit", true),
    ],
    ret: "int",
    summary: "set and/or read a process's resource limit (NULL leaves a side out; pid 0: self)",
    example: "prlimit64(0, RLIMIT_NOFILE, NULL, {})",
    impl: sysPrlimit64,
  },
];

const BY_NAME = new Map(SYSCALLS.map((s) => [s.name, s]));

/** The spec of a syscall by name. */
export function syscallSpec(name: string): SyscallSpec | undefined {
  return BY_NAME.get(name);
}

/**
 * Runs a syscall in a process (in its current task, else its leader);
 * always returns a {@link SysOut}. Timers the call's cost lets expire fire
 * after it, in order.
 */
export function syscall(p: Process, name: string, args: unknown[]): SysOut {
  const spec = BY_NAME.get(name);
  if (spec === undefined) throw new Error(`no syscall ${name}`);
  const m = p.machine;
  // A call always runs in a task (a userfault may make it wait).
  if (m.current === null) {
    // Machine.runIn(currentOf(p), ...) without its closure: this path is hot.
    m.current = m.currentOf(p);
    try {
      return syscall(p, name, args);
    } finally {
      m.current = null;
    }
  }
  m.clock.advance(COST_SYSCALL_NS);
  // `trace on`: the call's kernel path (lib/trace/kernel_trace.ts).
  const tr = m.trace;
  if (tr !== null) tr.begin(`__do_sys_${spec.name}`, `pid ${p.pid}`);
  let r: SysOut;
  try {
    r = invoke(spec, p, args);
  } catch (e) {
    if (!(e instanceof WouldBlock)) throw e;
    r = waitAndRestart(p, spec, args, e);
  }
  // (A call that throws leaves its entry open: KernelTrace.take() resets.)
  if (tr !== null) traceReturn(tr, spec.name, r);
  const t = m.current;
  if (r.pending === undefined && t !== null && t.uffdEvents.length > 0) {
    r = waitForEvents(p, spec.name, r);
  }
  // Timers the call's cost let expire fire now (nothing to do when none is due).
  m.sched.tick();
  return r;
}

/** The trace's last line of a call: its result, or that it sleeps. */
function traceReturn(tr: KernelTrace, name: string, r: SysOut): void {
  tr.end();
  const err = r.pending === undefined && r.ret < 0 && r.ret > -4096;
  tr.step(
    `__do_sys_${name}`,
    r.pending !== undefined
      ? "the thread sleeps (<unfinished ...>), the call restarts when woken"
      : err
      ? `returns -${errnoName(-r.ret)}`
      : `returns ${r.ret > 0xffff ? "0x" + r.ret.toString(16) : r.ret}`,
    err ? { errno: `-${errnoName(-r.ret)}` } : undefined,
  );
}

function invoke(spec: SyscallSpec, p: Process, args: unknown[]): SysOut {
  // Six registers at most: a plain call, no spread of the argument array.
  const r = args.length <= 6
    ? spec.impl(p, args[0], args[1], args[2], args[3], args[4], args[5])
    : spec.impl(p, ...args);
  return typeof r === "number" ? { ret: r } : r;
}

/**
 * The call must sleep ({@link WouldBlock}): a kernel access of the call
 * (copy_to_user in pread, GUP) faulted on a userfaultfd-registered range
 * and waits in handle_userfault, or a read found nothing to read. Once
 * woken the call runs again from the start (the kernel retries the fault
 * and goes on; mmlab's calls redo the work before the fault, which writes
 * the same bytes again). The call may wait again under the same token.
 */
function waitAndRestart(
  p: Process,
  spec: SyscallSpec,
  args: unknown[],
  why: WouldBlock,
  token?: number,
): SysOut {
  const m = p.machine;
  const t = m.currentOf(p);
  let tok = 0;
  tok = m.sched.sleep(t, why.wq, why.wchan, "S", {
    name: spec.name,
    finish: () => {
      t.userfault = null;
      return m.runIn(t, () => {
        // `trace on`: the restarted call is an entry of its own.
        const tr = m.trace;
        tr?.begin(`__do_sys_${spec.name}`, `pid ${p.pid} woken: the call restarts`);
        try {
          const r = invoke(spec, p, args);
          if (tr !== null) traceReturn(tr, spec.name, r);
          return r.data === undefined ? { ret: r.ret } : { ret: r.ret, data: r.data };
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          waitAndRestart(p, spec, args, e, tok);
          if (tr !== null) traceReturn(tr, spec.name, { ret: 0, pending: tok });
          return null;
        }
      });
    },
    cancel: () => {
      t.userfault?.drop();
      t.userfault = null;
    },
  }, token);
  return { ret: 0, pending: tok };
}

/**
 * The call is done, but it sent non-cooperative userfaultfd events (an
 * UNMAP after munmap, a REMOVE before MADV_DONTNEED): the thread waits
 * until the handler has read every one (fs/userfaultfd.c
 * userfaultfd_event_wait_completion(), after the mmap lock is dropped),
 * then the call returns `r`. A release of the context ends the wait too.
 */
function waitForEvents(p: Process, name: string, r: SysOut, token?: number): SysOut {
  const m = p.machine;
  const t = m.currentOf(p);
  const open = t.uffdEvents.find((e) => !e.done());
  if (open === undefined) {
    t.uffdEvents = [];
    return r;
  }
  let tok = 0;
  tok = m.sched.sleep(t, open.wq, WCHAN_UFFD_EVENT, "S", {
    name,
    finish: () => {
      if (t.uffdEvents.some((e) => !e.done())) {
        m.runIn(t, () => waitForEvents(p, name, r, tok));
        return null;
      }
      t.uffdEvents = [];
      return r.data === undefined ? { ret: r.ret } : { ret: r.ret, data: r.data };
    },
    cancel: () => {
      // Killed while waiting: the unread events are dropped.
      for (const e of t.uffdEvents) e.drop();
      t.uffdEvents = [];
    },
  }, token);
  return { ret: 0, pending: tok };
}

/** Runs a syscall in thread `t` (the kernel's `current` while it runs). */
export function syscallIn(t: Task, name: string, args: unknown[]): SysOut {
  return t.group.machine.runIn(t, () => syscall(t.group, name, args));
}
