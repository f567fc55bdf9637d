/**
 * Sending signals that are not faults: kill(2), a lease break's SIGIO
 * (fs/locks.c lease_break_callback -> kill_fasync), the SIGKILL of a
 * pinning process. Compare kernel/signal.c send_signal_locked() and
 * complete_signal(): a caught signal runs its handler (mmlab reports it),
 * and a thread asleep in an interruptible wait that checks
 * signal_pending() is woken so that its call returns EINTR (-ERESTARTSYS
 * with a handler installed without SA_RESTART). Only the waits listed in
 * {@link INTERRUPTIBLE_WCHANS} look; other sleeps stay asleep.
 * @module
 */

import type { Process } from "./process.ts";
import {
  SI_KERNEL,
  SIGCHLD,
  SIGCONT,
  type SigInfo,
  SIGKILL,
  SIGURG,
  SIGWINCH,
} from "../abi/signal.ts";
import { killProcess } from "./exit.ts";
import { EINVAL, ESRCH } from "../abi/errno.ts";

/** SI_USER: a signal kill(2) sent. */
export const SI_USER = 0;

/**
 * Wait channels whose waits end with EINTR on a caught signal: the DAX
 * layout wait (fs/ext4/inode.c ext4_wait_dax_page, woken through
 * wait_var_event_interruptible) and the lease-break wait (fs/locks.c
 * __break_lease: wait_event_interruptible_timeout).
 */
export const INTERRUPTIBLE_WCHANS: ReadonlySet<string> = new Set([
  "ext4_wait_dax_page",
  "__break_lease",
  // vfio_unregister_group_dev(): only its first, interruptible, wait.
  "vfio_unregister_group_dev",
]);

/**
 * Signals whose default action does not terminate (kernel/signal.c:
 * SIG_KERNEL_IGNORE_MASK: SIGCONT, SIGCHLD, SIGWINCH, SIGURG). SIGCONT on a
 * running process does nothing. The stop signals are not modelled (they
 * still terminate here).
 */
const DEFAULT_IGNORE = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH]);

/**
 * Delivers `signo` to process `p` (send_signal_locked + complete_signal):
 * SIGKILL ends it; an ignored signal does nothing; a signal with the default
 * action (terminate, for all but the ignored few) ends it; a caught one is
 * reported, and wakes a thread in an interruptible wait for EINTR.
 */
export function sendSignal(p: Process, signo: number, code = SI_KERNEL, from = 0): void {
  if (!p.alive) return;
  const info: SigInfo = code === SI_USER
    ? { signo, code, addr: 0, pid: from }
    : { signo, code, addr: 0 };
  p.signals.push(info);
  p.machine.events.emit({ kind: "signal", pid: p.pid, info });
  if (signo === SIGKILL) {
    killProcess(p, { signal: SIGKILL });
    return;
  }
  const d = p.dispositions.get(signo) ?? p.machine.defaultDisposition;
  if (d === "ignore" || (d === "default" && DEFAULT_IGNORE.has(signo))) return;
  if (d === "default") {
    killProcess(p, { signal: signo });
    return;
  }
  for (const t of p.threads) {
    if (t.state === "sleeping" && t.wchan !== null && INTERRUPTIBLE_WCHANS.has(t.wchan)) {
      t.sigPending = signo;
      p.machine.sched.wake(t);
      return;
    }
  }
}

/**
 * signal_pending(current) for an interruptible wait: true (and the signal
 * consumed: its handler runs on the way out) when a caught signal woke the
 * thread.
 */
export function takeSignalPending(p: Process): boolean {
  const t = p.machine.currentOf(p);
  if (t.sigPending === 0) return false;
  t.sigPending = 0;
  return true;
}

/** kill(pid, sig): ESRCH for no such live process, EINVAL for a bad signal; sig 0 probes. */
export function sysKill(p: Process, pidArg: bigint | number, sigArg: bigint | number): number {
  const sig = Number(sigArg);
  if (!(sig >= 0 && sig <= 64)) return -EINVAL;
  const target = p.machine.process(Number(BigInt.asIntN(32, BigInt(pidArg))));
  if (target === undefined || !target.alive) return -ESRCH;
  if (sig !== 0) sendSignal(target, sig, SI_USER, p.pid);
  return 0;
}
