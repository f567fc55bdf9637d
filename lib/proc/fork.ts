/**
 * fork(2) and clone(2): kernel/fork.c kernel_clone() -> copy_process(). A
 * new process gets a copy of the parent's address space (copy_mm() ->
 * dup_mmap(), in lib/mm/fork.ts) or shares it (CLONE_VM), its open files
 * (copy_files()) and its signal dispositions (copy_sighand()); with
 * CLONE_THREAD the new task joins the caller's thread group instead.
 * @module
 */

import { Process } from "./process.ts";
import { dupFd } from "./files.ts";
import { Task } from "./task.ts";
import { dupMmap } from "../mm/fork.ts";
import { exitMmap } from "./exit.ts";
import { copyToUser } from "../mm/uaccess.ts";
import { EINVAL } from "../abi/errno.ts";

/** include/uapi/linux/sched.h: clone flags (the low byte is the exit signal, CSIGNAL). */
export const CSIGNAL = 0xff;
/** Share the address space. */
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000;
export const CLONE_PTRACE = 0x2000;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
/** Join the parent's thread group. */
export const CLONE_THREAD = 0x10000;
export const CLONE_NEWNS = 0x20000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000;
export const CLONE_CHILD_SETTID = 0x1000000;
export const CLONE_NEWCGROUP = 0x2000000;
export const CLONE_NEWUTS = 0x4000000;
export const CLONE_NEWIPC = 0x8000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;

/** The flags glibc's pthread_create() passes (sysdeps/unix/sysv/linux/createthread.c). */
export const PTHREAD_CLONE_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
  CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

/** Names of the flag bits, as strace prints them. */
export const CLONE_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ["CLONE_VM", CLONE_VM],
  ["CLONE_FS", CLONE_FS],
  ["CLONE_FILES", CLONE_FILES],
  ["CLONE_SIGHAND", CLONE_SIGHAND],
  ["CLONE_PIDFD", CLONE_PIDFD],
  ["CLONE_PTRACE", CLONE_PTRACE],
  ["CLONE_VFORK", CLONE_VFORK],
  ["CLONE_PARENT", CLONE_PARENT],
  ["CLONE_THREAD", CLONE_THREAD],
  ["CLONE_NEWNS", CLONE_NEWNS],
  ["CLONE_SYSVSEM", CLONE_SYSVSEM],
  ["CLONE_SETTLS", CLONE_SETTLS],
  ["CLONE_PARENT_SETTID", CLONE_PARENT_SETTID],
  ["CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID],
  ["CLONE_DETACHED", CLONE_DETACHED],
  ["CLONE_UNTRACED", CLONE_UNTRACED],
  ["CLONE_CHILD_SETTID", CLONE_CHILD_SETTID],
  ["CLONE_NEWCGROUP", CLONE_NEWCGROUP],
  ["CLONE_NEWUTS", CLONE_NEWUTS],
  ["CLONE_NEWIPC", CLONE_NEWIPC],
  ["CLONE_NEWUSER", CLONE_NEWUSER],
  ["CLONE_NEWPID", CLONE_NEWPID],
  ["CLONE_NEWNET", CLONE_NEWNET],
  ["CLONE_IO", CLONE_IO],
];

/**
 * A new process: a copy of p's mm (or p's mm itself with CLONE_VM), of its
 * fd table (or the table itself with CLONE_FILES, copy_files()) and of its
 * dispositions.
 */
function copyProcess(p: Process, shareVm: boolean, shareFiles: boolean): Process | number {
  const m = p.machine;
  let mm = p.mm;
  if (shareVm) mm.users++;
  else mm = m.newMm();
  const child = new Process(m, m.allocPid(), p.pid, p.comm, mm);
  if (!shareVm) {
    const err = dupMmap(p, mm);
    if (err) {
      // dup_mmap()'s fail path: what was copied goes (exit_mmap of the new mm).
      exitMmap(mm);
      m.tasks.delete(child.pid);
      m.unallocPid(child.pid);
      return err;
    }
  }
  if (shareFiles) {
    child.files = p.files;
    p.files.users++;
  } else {
    child.files = dupFd(p.files);
  }
  for (const [s, d] of p.dispositions) child.dispositions.set(s, d);
  child.rlim = p.rlim.map(([c, m]) => [c, m]); // copy_signal(): the limits
  p.children.push(child.pid);
  m.adopt(child);
  m.events.emit({ kind: "fork", pid: p.pid, child: child.pid });
  return child;
}

/** fork(): returns the child's pid to the parent. */
export function sysFork(p: Process): number {
  const c = copyProcess(p, false, false);
  return typeof c === "number" ? c : c.pid;
}

/** put_user(tid, addr) of a 4-byte tid; a fault is ignored, as copy_process() does. */
function putTid(p: Process, addr: bigint, tid: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, tid, true);
  copyToUser(p, Number(addr), b);
}

/**
 * clone(flags, stack, parent_tid, child_tid, tls) (x86-64 argument order).
 * Returns the new task's id. First kernel_clone(): CLONE_PIDFD with
 * CLONE_PARENT_SETTID is EINVAL (the legacy call stores the pidfd at
 * parent_tid). Then copy_process()'s checks, in its order, all EINVAL:
 * CLONE_NEWNS|CLONE_FS, CLONE_NEWUSER|CLONE_FS, CLONE_THREAD without
 * CLONE_SIGHAND, CLONE_SIGHAND without CLONE_VM, CLONE_PARENT from init,
 * CLONE_THREAD with CLONE_NEWUSER or CLONE_NEWPID, CLONE_PIDFD with
 * CLONE_DETACHED.
 *
 * mmlab models the mm, the thread group, the fd table (shared with
 * CLONE_FILES, copied without) and the tid words; namespaces, CLONE_VFORK's
 * wait, ptrace and pidfds are not modelled: those flags are accepted and
 * change nothing else. A thread always shares its group's fd table (one
 * made with CLONE_THREAD but without CLONE_FILES, which would get a copy,
 * is not modelled).
 */
export function sysClone(
  p: Process,
  flags: bigint | number,
  _stack: bigint | number = 0,
  parentTid: bigint | number = 0,
  childTid: bigint | number = 0,
  tls: bigint | number = 0,
): number {
  const f = Number(BigInt.asUintN(32, BigInt(flags)));
  const has = (bits: number) => (f & bits) === bits;
  // kernel_clone(): the legacy call passes parent_tid as the pidfd pointer too.
  if (has(CLONE_PIDFD) && has(CLONE_PARENT_SETTID)) return -EINVAL;
  // copy_process(), in its order.
  if (has(CLONE_NEWNS | CLONE_FS)) return -EINVAL;
  if (has(CLONE_NEWUSER | CLONE_FS)) return -EINVAL;
  if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) return -EINVAL;
  if (has(CLONE_SIGHAND) && !has(CLONE_VM)) return -EINVAL;
  // Siblings of init: pid 1 is the machine's init, SIGNAL_UNKILLABLE.
  if (has(CLONE_PARENT) && p.pid === 1) return -EINVAL;
  if (has(CLONE_THREAD) && (f & (CLONE_NEWUSER | CLONE_NEWPID)) !== 0) return -EINVAL;
  if (has(CLONE_PIDFD) && has(CLONE_DETACHED)) return -EINVAL;
  const m = p.machine;
  let task: Task;
  if (has(CLONE_THREAD)) {
    // The new task joins the group and takes a reference on the mm (mmget).
    task = new Task(m.allocPid(), p);
    p.threads.push(task);
    m.tasks.set(task.tid, task);
    p.mm.users++;
  } else {
    const c = copyProcess(p, has(CLONE_VM), has(CLONE_FILES));
    if (typeof c === "number") return c;
    task = c.leader;
  }
  const child = task.group;
  if (has(CLONE_SETTLS)) task.tls = BigInt.asUintN(64, BigInt(tls));
  if (has(CLONE_PARENT_SETTID)) putTid(p, BigInt(parentTid), task.tid);
  if (has(CLONE_CHILD_SETTID)) putTid(child, BigInt(childTid), task.tid);
  if (has(CLONE_CHILD_CLEARTID)) task.clearChildTid = BigInt.asUintN(64, BigInt(childTid));
  return task.tid;
}
