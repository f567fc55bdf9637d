/**
 * eventfd(2) (fs/eventfd.c): a 64-bit counter behind a file. write adds
 * to it, read returns it and resets it to 0 (EFD_SEMAPHORE: returns 1 and
 * decrements), and a kernel user signals it (eventfd_signal: +1). Drivers
 * take a user's eventfd to tell it things: vfio-pci's device request and
 * AER error channels (VFIO_DEVICE_SET_IRQS).
 *
 * Checks in the kernel's order: eventfd2 EINVAL for unknown flags; read
 * and write EINVAL below 8 bytes; write EINVAL for 0xffffffffffffffff; a
 * read of a zero counter EAGAIN with O_NONBLOCK, else the thread sleeps
 * (S, in eventfd_read) until a write or a signal. A write that would
 * overflow the counter is EAGAIN with O_NONBLOCK; mmlab does not model
 * the writer's sleep and answers EAGAIN then too.
 * @module
 */

import { EAGAIN, EFAULT, EINVAL } from "../abi/errno.ts";
import { O_CLOEXEC, O_NONBLOCK, O_RDWR } from "../abi/mman.ts";
import type { FileOperations, IterRequest } from "../mm/file_operations.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
import { WaitQueue } from "../sched/wait.ts";
import { Inode, type SuperBlock } from "./inode.ts";
import type { OpenFile } from "./file.ts";
import { installFile } from "./syscalls.ts";

/** include/uapi/linux/eventfd.h */
export const EFD_SEMAPHORE = 1;
/** Close the eventfd on exec (O_CLOEXEC). */
export const EFD_CLOEXEC: number = O_CLOEXEC;
/** Non-blocking reads and writes (O_NONBLOCK). */
export const EFD_NONBLOCK: number = O_NONBLOCK;
/** The names, as strace prints them. */
export const EFD_NAMES: readonly (readonly [string, number])[] = [
  ["EFD_SEMAPHORE", EFD_SEMAPHORE],
  ["EFD_CLOEXEC", EFD_CLOEXEC],
  ["EFD_NONBLOCK", EFD_NONBLOCK],
];

const ULLONG_MAX = 0xffffffffffffffffn;
/** The wait channel of a reader asleep on an empty counter. */
export const WCHAN_EVENTFD = "eventfd_read";

/** anon_inodefs, where `[eventfd]` files live. */
const ANON_SB: SuperBlock = {
  major: 0x00,
  minor: 0x0f,
  noexec: true,
  punchHole: false,
  name: "anon_inodefs",
};

/** `struct eventfd_ctx` */
export class EventfdCtx {
  /** The 64-bit counter. */
  count: bigint;
  /** Readers and pollers waiting on the counter (ctx->wqh). */
  readonly wq: WaitQueue;
  /** eventfd_signal() calls, for views and tests. */
  signals = 0;

  /** A counter starting at `initval`; `semaphore` is EFD_SEMAPHORE; `id` names the anon inode. */
  constructor(initval: number, readonly semaphore: boolean, id: number) {
    this.count = BigInt(initval);
    this.wq = new WaitQueue(`eventfd ${id}`);
  }
}

/** The eventfd behind a file, or null (eventfd_ctx_fdget: EINVAL for another file). */
export function eventfdCtx(f: OpenFile): EventfdCtx | null {
  return f.inode.priv instanceof EventfdCtx ? f.inode.priv : null;
}

/**
 * eventfd_signal(): +1 (saturating below ULLONG_MAX, as eventfd_signal_mask
 * gives up rather than overflow) and wake readers.
 */
export function eventfdSignal(p: { machine: Process["machine"] }, ctx: EventfdCtx): void {
  if (ctx.count < ULLONG_MAX - 1n) ctx.count++;
  ctx.signals++;
  p.machine.sched.wakeAll(ctx.wq);
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

/** eventfd_read(): one 8-byte value, or -errno, or the thread sleeps. */
function take(ctx: EventfdCtx): bigint {
  const v = ctx.semaphore ? 1n : ctx.count;
  ctx.count -= v;
  return v;
}

function eventfdRw(p: Process, f: OpenFile, req: IterRequest): SysOut | number {
  const ctx = eventfdCtx(f)!;
  const m = p.machine;
  if (req.count < 8) return -EINVAL;
  if (req.write) {
    const b = req.addr !== null ? copyFromUser(p, req.addr, 8) : req.data;
    if (b === null || b.length < 8) return -EFAULT;
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v === ULLONG_MAX) return -EINVAL;
    if (ULLONG_MAX - ctx.count <= v) return -EAGAIN;
    ctx.count += v;
    m.sched.wakeAll(ctx.wq);
    return 8;
  }
  const out = (): { ret: number; data?: Uint8Array } => {
    const data = u64(take(ctx));
    if (req.addr !== null && copyToUser(p, req.addr, data) !== 0) return { ret: -EFAULT };
    return { ret: 8, data };
  };
  if (ctx.count > 0n) return out();
  if (f.flags & O_NONBLOCK) return -EAGAIN;
  const t = m.currentOf(p);
  const token = m.sched.sleep(t, ctx.wq, WCHAN_EVENTFD, "S", {
    name: "read",
    finish: () => {
      if (ctx.count === 0n) {
        m.sched.sleep(t, ctx.wq, WCHAN_EVENTFD, "S", {
          name: "read",
          finish: () => out(),
          cancel: () => {},
        }, token);
        return null;
      }
      return out();
    },
    cancel: () => {},
  });
  return { ret: 0, pending: token };
}

/** eventfd_fops */
export const EVENTFD_FOPS: FileOperations = {
  name: "eventfd_fops",
  fopFlags: 0,
  rwIter: eventfdRw,
  poll(f) {
    const ctx = eventfdCtx(f)!;
    // EPOLLIN when readable, EPOLLOUT while a write of 1 fits.
    return (ctx.count > 0n ? 0x1 : 0) | (ctx.count < ULLONG_MAX - 1n ? 0x4 : 0);
  },
};

/**
 * eventfd2(initval, flags): EINVAL for flags other than EFD_SEMAPHORE,
 * EFD_CLOEXEC, EFD_NONBLOCK; a new `anon_inode:[eventfd]` file, O_RDWR.
 */
export function sysEventfd2(
  p: Process,
  initvalArg: bigint | number,
  flagsArg: bigint | number = 0,
): number {
  const initval = Number(BigInt.asUintN(32, BigInt(initvalArg)));
  const flags = Number(BigInt.asIntN(32, BigInt(flagsArg)));
  if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) return -EINVAL;
  const m = p.machine;
  const id = m.nextUffdId();
  const inode = new Inode(id, ANON_SB, "anon", "anon_inode:[eventfd]", 0, {
    fop: EVENTFD_FOPS,
    iop: {},
  });
  inode.priv = new EventfdCtx(initval, (flags & EFD_SEMAPHORE) !== 0, id);
  return installFile(p, inode, O_RDWR | (flags & (EFD_CLOEXEC | EFD_NONBLOCK)));
}
