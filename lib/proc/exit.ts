/**
 * Process and thread death and signals: kernel/exit.c do_exit() and
 * do_group_exit() with mm/mmap.c
 * exit_mmap(), kernel/signal.c force_sig_fault() for synchronous faults,
 * and the OOM killer's verdict.
 * @module
 */

import { EINVAL } from "../abi/errno.ts";
import { SIGBUS, type SigInfo, SIGKILL, SIGSEGV } from "../abi/signal.ts";
import type { Process } from "./process.ts";
import type { Task } from "./task.ts";
import type { ExitStatus } from "../events.ts";
import { copyToUser } from "../mm/uaccess.ts";
import type { Mm } from "../mm/mm.ts";
import { zapRange } from "../mm/zap.ts";
import { releaseHeldPages } from "../mm/gup.ts";
import { lruAddDrain } from "../mm/swap.ts";
import { vmaRemove } from "../mm/vma_ops.ts";
import { mmRss, pgtablesBytes, vmCounters } from "./stats.ts";
import { FilesStruct } from "./files.ts";
import { coreDumpReads } from "./coredump.ts";

/**
 * exit_mmap(): tears down an address space whose last user is gone: every
 * secondary MMU is released, every PTE zapped, every VMA closed.
 */
export function exitMmap(mm: Mm): void {
  // Pages held for the mm (the REPL's pin_user_pages) go back first.
  releaseHeldPages(mm, 0, -1);
  for (const n of mm.notifiers.slice()) n.release?.();
  mm.notifiers.length = 0;
  lruAddDrain(mm.machine);
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    zapRange(mm, v, v.start, v.end, { dropMarkers: true, quiet: true });
  }
  while (mm.vmas.first !== null) vmaRemove(mm, mm.vmas.first);
  mm.pt.freeEmpty(0, 2 ** 35);
}

/**
 * One task leaves (do_exit() for one thread): its sleep is cancelled
 * (the call ends without a result), CLONE_CHILD_CLEARTID's word is cleared
 * while others still use the mm (mm_release()), and it drops its mm
 * reference (exit_mm() -> mmput()); the last one tears the mm down.
 */
function exitTask(t: Task): void {
  if (!t.alive) return;
  const p = t.group;
  p.machine.sched.dropTask(t);
  t.state = "zombie";
  if (t.clearChildTid !== 0n && p.mm.users > 1) {
    copyToUser(p, Number(t.clearChildTid), new Uint8Array(4));
  }
  if (--p.mm.users === 0) exitMmap(p.mm);
}

/** A non-leader thread is reaped at once (exit_notify(): autoreap): it leaves the group. */
function reapThread(t: Task, status: ExitStatus): void {
  const p = t.group;
  const i = p.threads.indexOf(t);
  if (i > 0) p.threads.splice(i, 1);
  p.machine.tasks.delete(t.tid);
  p.machine.events.emit({ kind: "thread_exit", pid: p.pid, tid: t.tid, status });
}

/**
 * do_group_exit(): the whole thread group dies (exit_group, a fatal
 * signal): every other thread first (zap_other_threads()), then the
 * leader; the process becomes a zombie and its files are released.
 */
export function killProcess(p: Process, status: { code?: number; signal?: number }): void {
  if (!p.alive) return;
  p.state = "zombie";
  p.exitStatus = {
    ...status,
    core: status.signal === SIGSEGV || status.signal === SIGBUS,
  };
  // do_coredump() runs in the dying thread with the mm still whole, the
  // other threads stopped: its page reads outlive the process.
  if (p.exitStatus.core) coreDumpReads(p);
  for (const t of p.threads.slice(1)) {
    exitTask(t);
    reapThread(t, p.exitStatus);
  }
  exitTask(p.leader);
  p.machine.events.emit({ kind: "exit", pid: p.pid, status: p.exitStatus });
  // exit_files() -> put_files_struct(): the table closes its files only
  // when no process that shares it (CLONE_FILES) is left.
  const files = p.files;
  p.files = new FilesStruct();
  if (--files.users > 0) return;
  for (let fd = 0; fd < files.fds.length; fd++) {
    const f = files.fds[fd];
    files.fds[fd] = undefined;
    if (f !== undefined) {
      f.fput(p.machine);
    }
  }
}

/** A signal reaches a process: kept on the process and logged as an event. */
function recordSignal(p: Process, sig: SigInfo, t: Task = p.leader): void {
  p.signals.push(sig);
  p.machine.events.emit({
    kind: "signal",
    pid: p.pid,
    info: sig,
    ...(t.leader ? {} : { tid: t.tid }),
  });
}

/**
 * force_sig_fault(): records a synchronous fault signal and applies the
 * disposition. Returns true if the process died of it.
 */
export function deliverFaultSignal(p: Process, sig: SigInfo): boolean {
  // The signal goes to the faulting thread; SIG_DFL kills its whole group.
  recordSignal(p, sig, p.machine.currentOf(p));
  // A blocked or ignored synchronous fault signal is forced to SIG_DFL.
  if (p.disposition(sig.signo) === "catch") return false;
  killProcess(p, { signal: sig.signo });
  return true;
}

/** The OOM killer chose this process (mm/oom_kill.c: __oom_kill_process). */
export function oomKill(p: Process): void {
  const mm = p.mm;
  const rss = mmRss(mm);
  const kb = (pages: number) => pages * 4;
  p.machine.dmesg.log(
    "err",
    `Out of memory: Killed process ${p.pid} (${p.comm}) total-vm:${
      kb(vmCounters(mm).totalVm)
    }kB, ` +
      `anon-rss:${kb(rss.anon)}kB, file-rss:${kb(rss.file)}kB, shmem-rss:${kb(rss.shmem)}kB, ` +
      `UID:0 pgtables:${pgtablesBytes(mm) >> 10}kB oom_score_adj:0`,
  );
  recordSignal(p, { signo: SIGKILL, code: 0x80, addr: 0 });
  killProcess(p, { signal: SIGKILL });
}

/**
 * exit(status) (SYS_exit): ends the calling thread only. The group ends
 * with its last thread, reporting the leader's code (a leader that exited
 * first stays a zombie until then: delay_group_leader()). In a
 * single-threaded process it is exit_group.
 */
export function sysExit(p: Process, status: bigint | number): number {
  const code = Number(BigInt.asUintN(8, BigInt(status)));
  const t = p.machine.currentOf(p);
  const live = p.liveThreads;
  if (live.length === 1 && t.leader) {
    killProcess(p, { code });
    return 0;
  }
  t.exitCode = code;
  exitTask(t);
  if (!t.leader) reapThread(t, { code, core: false });
  if (live.length === 1) killProcess(p, { code: p.leader.exitCode ?? code });
  return 0;
}

/** exit_group(status): every thread of the group ends. */
export function sysExitGroup(p: Process, status: bigint | number): number {
  killProcess(p, { code: Number(BigInt.asUintN(8, BigInt(status))) });
  return 0;
}

/** gettid(): the calling thread's id. */
export function sysGettid(p: Process): number {
  return p.machine.currentOf(p).tid;
}

/** getpid() */
export function sysGetpid(p: Process): number {
  return p.pid;
}

/** SIG_DFL, SIG_IGN; any other value installs mmlab's report-and-continue handler. */
export const SIG_DFL = 0;
/** SIG_IGN: ignore the signal. */
export const SIG_IGN = 1;
/** mmlab's report-and-continue handler. */
export const SIG_CATCH = 2;

/** signal(signum, handler): sets the disposition of a signal. */
export function sysSignal(p: Process, signum: bigint | number, handler: bigint | number): number {
  const s = Number(signum), h = Number(handler);
  if (!(s >= 1 && s <= 64) || s === SIGKILL || s === 19) return -EINVAL;
  p.dispositions.set(s, h === SIG_DFL ? "default" : h === SIG_IGN ? "ignore" : "catch");
  return 0;
}
