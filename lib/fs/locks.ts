/**
 * File leases (fs/locks.c): fcntl(F_SETLEASE/F_GETLEASE/F_SETSIG/F_GETSIG)
 * and the lease break an open makes.
 *
 * - F_SETLEASE F_RDLCK: only on a regular file no one has open for writing
 *   (check_conflicting_open: EAGAIN), the caller's file included; F_WRLCK:
 *   only when the caller's open file is the inode's only one (EAGAIN); a
 *   conflicting lease of another open file is EAGAIN; F_UNLCK removes the
 *   caller's (EAGAIN without one: generic_delete_lease); anything else EINVAL.
 *   With dax.layoutLease=rfc-2019, `F_RDLCK|F_LAYOUT` takes a layout lease
 *   (Ira Weiny's 2019 RFC): long-term pins of the DAX file are allowed while
 *   it is held (lib/mm/gup.ts), and truncate fails ETXTBSY instead of
 *   waiting (dax.truncateWithPin=fail-etxtbsy). An open never breaks it.
 * - __break_lease(): an open for writing breaks read and write leases, any
 *   open breaks a write lease (to F_RDLCK for a read open). The holder is
 *   sent its F_SETSIG signal (SIGIO by default: lease_break_callback ->
 *   kill_fasync); the opener sleeps (wchan __break_lease, interruptible:
 *   EINTR on a caught signal) until the lease is given up or downgraded, or
 *   fs.lease-break-time seconds have passed on the virtual clock
 *   (time_out_leases removes it). O_NONBLOCK openers get EWOULDBLOCK at once.
 * - The last close of the holder's open file removes its lease
 *   (locks_remove_file).
 * @module
 */

import { EAGAIN, EBADF, EINTR, EINVAL } from "../abi/errno.ts";
import {
  F_GETLEASE,
  F_GETSIG,
  F_LAYOUT,
  F_RDLCK,
  F_SETLEASE,
  F_SETSIG,
  F_UNLCK,
  F_WRLCK,
  O_ACCMODE,
  O_NONBLOCK,
  O_RDONLY,
} from "../abi/mman.ts";
import { SIGIO } from "../abi/signal.ts";
import type { Machine } from "../machine.ts";
import type { KnobValue } from "../policy.ts";
import type { Process } from "../proc/process.ts";
import { sendSignal, takeSignalPending } from "../proc/signal.ts";
import { WaitQueue, WouldBlock } from "../sched/wait.ts";
import type { OpenFile } from "./file.ts";
import type { FileLease, Inode } from "./inode.ts";

/** Policy `dax.layoutLease`: whether user space may take F_LAYOUT leases (the 2019 RFC). */
const USER_LAYOUT_LEASES: Record<KnobValue<"dax.layoutLease">, boolean> = {
  off: false,
  "rfc-2019": true,
};

/** The wait channel of an open waiting for a lease break. */
export const WCHAN_BREAK_LEASE = "__break_lease";

/** Every open file of `inode` in live processes (and VMAs), deduplicated. */
function openFiles(m: Machine, inode: Inode): Set<OpenFile> {
  const out = new Set<OpenFile>();
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    for (const f of p.fds) if (f !== undefined && f.inode === inode) out.add(f);
  }
  for (const v of inode.mappings) if (v.file !== null) out.add(v.file);
  return out;
}

/** fcntl(fd, cmd, arg) for the lease commands; other commands are EINVAL. */
export function sysFcntl(
  p: Process,
  fdArg: bigint | number,
  cmdArg: bigint | number,
  argArg?: bigint | number,
): number {
  const fd = Number(BigInt.asUintN(32, BigInt(fdArg)));
  const f = fd < p.fds.length ? p.fds[fd] : undefined;
  if (f === undefined) return -EBADF;
  const cmd = Number(BigInt.asIntN(32, BigInt(cmdArg)));
  const arg = Number(BigInt.asIntN(64, BigInt(argArg ?? 0)));
  switch (cmd) {
    case F_SETLEASE:
      return setLease(p, f, arg);
    case F_GETLEASE:
      return getLease(f);
    case F_SETSIG:
      // F_SETSIG: 0 (SIGIO) or a valid signal.
      if (arg < 0 || arg > 64) return -EINVAL;
      f.leaseSig = arg;
      for (const l of f.inode.leases) if (l.file === f) l.sig = arg;
      return 0;
    case F_GETSIG:
      return f.leaseSig;
    default:
      return -EINVAL;
  }
}

/** fcntl_getlease(): the lease this open file holds, or what a break is taking it to. */
function getLease(f: OpenFile): number {
  const l = f.inode.leases.find((x) => x.file === f && !x.layout);
  if (l === undefined) return F_UNLCK;
  return l.breakDeadline >= 0 ? l.breakTo : l.type;
}

/** fcntl_setlease() -> generic_setlease(), in the kernel's order. */
function setLease(p: Process, f: OpenFile, arg: number): number {
  const m = p.machine;
  const inode = f.inode;
  const layout = (arg & F_LAYOUT) !== 0 && USER_LAYOUT_LEASES[m.policy("dax.layoutLease")];
  const type = layout ? arg & ~F_LAYOUT : arg;
  if (inode.kind !== "regular") return -EINVAL;
  const mine = inode.leases.findIndex((l) => l.file === f && l.layout === layout);
  if (type === F_UNLCK) {
    if (mine < 0) return -EAGAIN;
    const [gone] = inode.leases.splice(mine, 1);
    m.sched.wakeAll(gone.wq);
    return 0;
  }
  if (type !== F_RDLCK && type !== F_WRLCK) return -EINVAL;
  if (layout && type !== F_RDLCK) return -EINVAL;
  // check_conflicting_open() (a layout lease guards the block map, not the data:
  // the RFC took it on files open for writing)
  const files = layout ? new Set<OpenFile>() : openFiles(m, inode);
  if (type === F_RDLCK) {
    for (const o of files) if ((o.flags & O_ACCMODE) !== O_RDONLY) return -EAGAIN;
  } else {
    for (const o of files) if (o !== f) return -EAGAIN;
  }
  // Another open file's lease conflicts, or a break is in progress.
  for (const l of inode.leases) {
    if (l.file === f || l.layout !== layout) continue;
    if (l.breakDeadline >= 0 || type === F_WRLCK || l.type === F_WRLCK) return -EAGAIN;
  }
  if (mine >= 0) {
    // lease_modify(): an upgrade or a downgrade of the caller's lease.
    const l = inode.leases[mine];
    l.type = type;
    if (l.breakDeadline >= 0 && type <= l.breakTo) l.breakDeadline = -1;
    m.sched.wakeAll(l.wq);
    return 0;
  }
  inode.leases.push({
    file: f,
    pid: p.pid,
    type,
    layout,
    breakDeadline: -1,
    breakTo: F_UNLCK,
    sig: f.leaseSig,
    wq: new WaitQueue(`lease on inode ${inode.ino}`),
  });
  return 0;
}

/** Whether an open with `flags` conflicts with lease `l` (leases_conflict). */
function conflicts(l: FileLease, flags: number): boolean {
  if (l.layout) return false;
  const write = (flags & O_ACCMODE) !== O_RDONLY;
  return write || l.type === F_WRLCK;
}

/**
 * __break_lease() for an open of `inode` with `flags`: 0 once no lease
 * conflicts, -EWOULDBLOCK (O_NONBLOCK), -EINTR, or throws WouldBlock (the
 * open sleeps and runs again from the start).
 */
export function breakLease(p: Process, inode: Inode, flags: number): number {
  const m = p.machine;
  if (inode.leases.length === 0) return 0;
  const now = m.clock.ns;
  // time_out_leases(): breaks past their time end the lease (or downgrade it).
  for (const l of [...inode.leases]) {
    if (l.breakDeadline < 0 || now < l.breakDeadline) continue;
    if (l.breakTo === F_UNLCK) inode.leases.splice(inode.leases.indexOf(l), 1);
    else {
      l.type = l.breakTo;
      l.breakDeadline = -1;
    }
  }
  const hit = inode.leases.filter((l) => conflicts(l, flags));
  if (hit.length === 0) return 0;
  const target = (flags & O_ACCMODE) !== O_RDONLY ? F_UNLCK : F_RDLCK;
  for (const l of hit) {
    if (l.breakDeadline >= 0) continue;
    // lease_break_callback(): the holder learns of the break.
    l.breakTo = target;
    l.breakDeadline = now + m.sysctl.leaseBreakTime * 1e9;
    const holder = m.process(l.pid);
    if (holder !== undefined) sendSignal(holder, l.sig === 0 ? SIGIO : l.sig);
    const wq = l.wq;
    m.sched.timers.start(l.breakDeadline, `lease break of inode ${inode.ino}`, () => {
      if (!wq.empty) m.sched.wakeAll(wq);
    });
  }
  if (flags & O_NONBLOCK) return -EAGAIN; // EWOULDBLOCK
  if (takeSignalPending(p)) return -EINTR;
  throw new WouldBlock(hit[0].wq, WCHAN_BREAK_LEASE, `lease break on inode ${inode.ino}`);
}

/** locks_remove_file(): the last close of `f` drops its leases. */
export function leasesRemoveFile(m: Machine, f: OpenFile): void {
  const leases = f.inode.leases;
  for (let i = leases.length - 1; i >= 0; i--) {
    if (leases[i].file !== f) continue;
    const [gone] = leases.splice(i, 1);
    if (!gone.wq.empty) m.sched.wakeAll(gone.wq);
  }
}
