/**
 * Process death and signals: kernel/exit.c do_exit() with mm/mmap.c
 * exit_mmap(), kernel/signal.c force_sig_fault() for synchronous faults,
 * and the OOM killer's verdict.
 * @module
 */

import { EINVAL } from "../abi/errno.ts";
import { SIGBUS, type SigInfo, SIGKILL, SIGSEGV } from "../abi/signal.ts";
import type { Process } from "./process.ts";
import type { Mm } from "../mm/mm.ts";
import { zapRange } from "../mm/zap.ts";
import { lruAddDrain } from "../mm/swap.ts";
import { vmaRemove } from "../mm/vma_ops.ts";
import { mmRss, pgtablesBytes, vmCounters } from "./stats.ts";

/**
 * exit_mmap(): tears down an address space whose last user is gone: every
 * secondary MMU is released, every PTE zapped, every VMA closed.
 */
export function exitMmap(mm: Mm): void {
  for (const n of mm.notifiers.slice()) n.release?.();
  mm.notifiers.length = 0;
  lruAddDrain(mm.machine);
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    zapRange(mm, v, v.start, v.end, { dropMarkers: true, quiet: true });
  }
  while (mm.vmas.first !== null) vmaRemove(mm, mm.vmas.first);
  mm.pt.freeEmpty(0, 2 ** 35);
}

/** do_exit(): the process becomes a zombie; its mm and files are released. */
export function killProcess(p: Process, status: { code?: number; signal?: number }): void {
  if (!p.alive) return;
  p.state = "zombie";
  p.exitStatus = {
    ...status,
    core: status.signal === SIGSEGV || status.signal === SIGBUS,
  };
  p.machine.events.emit({ kind: "exit", pid: p.pid, status: p.exitStatus });
  if (--p.mm.users === 0) exitMmap(p.mm);
  for (let fd = 0; fd < p.fds.length; fd++) {
    const f = p.fds[fd];
    p.fds[fd] = undefined;
    if (f !== undefined) {
      f.fput(p.machine);
    }
  }
}

/** A signal reaches a process: kept on the process and logged as an event. */
function recordSignal(p: Process, sig: SigInfo): void {
  p.signals.push(sig);
  p.machine.events.emit({ kind: "signal", pid: p.pid, info: sig });
}

/**
 * force_sig_fault(): records a synchronous fault signal and applies the
 * disposition. Returns true if the process died of it.
 */
export function deliverFaultSignal(p: Process, sig: SigInfo): boolean {
  recordSignal(p, sig);
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

/** exit(status) */
export function sysExit(p: Process, status: bigint | number): number {
  killProcess(p, { code: Number(BigInt.asUintN(8, BigInt(status))) });
  return 0;
}

/** getpid() */
export function sysGetpid(p: Process): number {
  return p.pid;
}

/** SIG_DFL, SIG_IGN; any other value installs mmlab's report-and-continue handler. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SIG_CATCH = 2;

/** signal(signum, handler): sets the disposition of a signal. */
export function sysSignal(p: Process, signum: bigint | number, handler: bigint | number): number {
  const s = Number(signum), h = Number(handler);
  if (!(s >= 1 && s <= 64) || s === SIGKILL || s === 19) return -EINVAL;
  p.dispositions.set(s, h === SIG_DFL ? "default" : h === SIG_IGN ? "ignore" : "catch");
  return 0;
}
