/**
 * nanosleep(2): kernel/time/hrtimer.c
 * hrtimer_nanosleep() -> do_nanosleep(). The calling thread arms a timer on
 * the virtual clock and sleeps (TASK_INTERRUPTIBLE, wait channel
 * `hrtimer_nanosleep`) on its sleeper until the timer fires; the call then
 * returns 0. Nothing interrupts a sleep (mmlab delivers no asynchronous
 * signals), so `rem` is never written.
 * @module
 */

import type { Process } from "../proc/process.ts";
import { getUserArg, type UserArg } from "../mm/uaccess.ts";
import { EFAULT, EINVAL } from "../abi/errno.ts";
import { NSEC_PER_SEC, readTimespec } from "../abi/time.ts";
import { WaitQueue } from "../sched/wait.ts";
import type { SysOut } from "../syscalls.ts";

/** The wait channel of a sleeping nanosleep, as `ps -o wchan` shows it. */
export const WCHAN_NANOSLEEP = "hrtimer_nanosleep";

/** A user timespec, or -EFAULT/-EINVAL (get_timespec64 + timespec64_valid). */
function userDuration(p: Process, req: UserArg | bigint | number): number | { ns: number } {
  const arg: UserArg = typeof req === "object" ? req : { value: BigInt(req), literal: null };
  const b = getUserArg(p, arg, 16);
  if (b === null) return -EFAULT;
  const { sec, nsec } = readTimespec(b);
  if (sec < 0n || nsec < 0n || nsec >= BigInt(NSEC_PER_SEC)) return -EINVAL;
  // Sleeps beyond 2^53 ns (104 days) are clamped: the clock never gets there.
  const ns = sec * BigInt(NSEC_PER_SEC) + nsec;
  return { ns: ns > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ns) };
}

/** do_nanosleep(): sleeps the calling thread until `expires`; returns the blocked call. */
function doNanosleep(p: Process, name: string, expires: number): SysOut {
  const m = p.machine;
  // An expiry already passed fires at once (hrtimer_sleeper_start_expires).
  if (expires <= m.clock.ns) return { ret: 0 };
  const t = m.currentOf(p);
  const wq = new WaitQueue(`timer of ${t.tid}`);
  const timer = m.sched.timers.start(expires, `${name} ${t.tid}`, () => m.sched.wake(t));
  const token = m.sched.sleep(t, wq, WCHAN_NANOSLEEP, "S", {
    name,
    finish: () => ({ ret: 0 }),
    cancel: () => m.sched.timers.cancel(timer),
  });
  return { ret: 0, pending: token };
}

/** nanosleep(req, rem): a relative sleep on CLOCK_MONOTONIC. */
export function sysNanosleep(
  p: Process,
  req: UserArg | bigint | number,
  _rem: bigint | number = 0,
): SysOut | number {
  const d = userDuration(p, req);
  if (typeof d === "number") return d;
  return doNanosleep(p, "nanosleep", p.machine.clock.ns + d.ns);
}
