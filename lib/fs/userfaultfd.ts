/**
 * userfaultfd(2): fs/userfaultfd.c. A context (struct userfaultfd_ctx) on
 * the caller's mm behind an anon-inode fd `[userfaultfd]`, with its own
 * file_operations (userfaultfd_fops: read, poll, ioctl, release).
 *
 * What mmlab models (UFFDIO_API reports 6.18's every feature, 0x1ffff):
 * - UFFDIO_API, UFFDIO_REGISTER (MODE_MISSING, MODE_WP, MODE_MINOR, with
 *   vma_can_userfault()'s errno per VMA type and the ioctls= each mode
 *   guarantees) / UFFDIO_UNREGISTER on anonymous and shmem VMAs (MODE_WP
 *   alone on any with WP_ASYNC), with the VMA split/merge and VmFlags
 *   `um`, `uw`, `ui`;
 * - UFFDIO_COPY (MODE_WP), UFFDIO_ZEROPAGE, UFFDIO_WAKE, UFFDIO_CONTINUE,
 *   UFFDIO_POISON on anonymous memory and shmem (mm/userfaultfd.c
 *   mfill_atomic(), shmem_mfill_atomic_pte()), UFFDIO_MOVE (move_pages(),
 *   6.8), UFFDIO_WRITEPROTECT (mwriteprotect_range(); the uffd-wp PTE bit
 *   and markers are lib/mm/userfaultfd_k.ts uffdWpRange);
 * - a missing fault in a registered anonymous range (or a page-cache miss
 *   in a registered shmem one), a write to a uffd-wp PTE (do_wp_page) or a
 *   page-cache hit with no PTE in a MODE_MINOR VMA (shmem_get_folio_gfp)
 *   queues a UFFD_EVENT_PAGEFAULT message (flags WRITE, WP, MINOR) and the
 *   thread waits in handle_userfault
 *   (a CPU access: lib/arch/cpu.ts userfaultAccess; a kernel access from a
 *   syscall: the call waits and restarts, lib/syscalls.ts) until COPY,
 *   ZEROPAGE, CONTINUE, POISON, WRITEPROTECT, WAKE, UNREGISTER or the
 *   release wakes it; UFFD_FEATURE_WP_ASYNC resolves write-protect faults
 *   without a message, WP_UNPOPULATED protects none anonymous PTEs too;
 * - UFFD_FEATURE_SIGBUS: any userfault in a registered range is SIGBUS
 *   BUS_ADRERR (a kernel access: EFAULT); UFFD_USER_MODE_ONLY: a kernel
 *   access is EFAULT;
 * - read() of `struct uffd_msg`s (EINVAL below 32 bytes; with none, EAGAIN
 *   on an O_NONBLOCK fd, else the reader sleeps until a fault comes);
 * - release: every registered VMA is unregistered (its uffd-wp PTEs reset)
 *   and merges back, and the waiters retry as ordinary faults
 *   (handle_userfault's ctx->released).
 *
 * - the non-cooperative events UFFD_EVENT_FORK (dup_userfaultfd),
 *   UFFD_EVENT_UNMAP (userfaultfd_unmap_prep/
 *   _complete), UFFD_EVENT_REMOVE (userfaultfd_remove) and UFFD_EVENT_REMAP
 *   (mremap_userfaultfd_prep/_complete): the thread that
 *   caused one waits at the end of its call until the event is read
 *   (userfaultfd_event_wait_completion, lib/syscalls.ts), and meanwhile
 *   (ctx->mmap_changing) COPY/ZEROPAGE/MOVE/CONTINUE/POISON/WRITEPROTECT
 *   are EAGAIN.
 *
 * No hugetlbfs: MISSING_HUGETLBFS and MINOR_HUGETLBFS are reported as the
 * kernel does but have no VMA to apply to. PAGEMAP_SCAN (WP_ASYNC's usual
 * partner) is not modelled.
 * @module
 */

import {
  EAGAIN,
  EBUSY,
  EEXIST,
  EFAULT,
  EINVAL,
  EMFILE,
  ENOENT,
  ENOMEM,
  EPERM,
} from "../abi/errno.ts";
import { O_CLOEXEC, O_NONBLOCK, O_RDONLY } from "../abi/mman.ts";
import { TASK_SIZE } from "../abi/layout.ts";
import {
  decodeStruct,
  encodeStruct,
  type StructValue,
  UFFD_API,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_CONTINUE,
  UFFDIO_CONTINUE_LAYOUT,
  UFFDIO_CONTINUE_MODE_DONTWAKE,
  UFFDIO_CONTINUE_MODE_WP,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_COPY_MODE_DONTWAKE,
  UFFDIO_COPY_MODE_WP,
  UFFDIO_MOVE,
  UFFDIO_MOVE_LAYOUT,
  UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES,
  UFFDIO_MOVE_MODE_DONTWAKE,
  UFFDIO_POISON,
  UFFDIO_POISON_LAYOUT,
  UFFDIO_POISON_MODE_DONTWAKE,
  UFFDIO_RANGE,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_REGISTER_MODE_MINOR,
  UFFDIO_REGISTER_MODE_MISSING,
  UFFDIO_REGISTER_MODE_WP,
  UFFDIO_UNREGISTER,
  UFFDIO_WAKE,
  UFFDIO_WRITEPROTECT,
  UFFDIO_WRITEPROTECT_LAYOUT,
  UFFDIO_WRITEPROTECT_MODE_DONTWAKE,
  UFFDIO_WRITEPROTECT_MODE_WP,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
  UFFDIO_ZEROPAGE_MODE_DONTWAKE,
  USERFAULTFD_IOC_NEW,
} from "../abi/ioctl.ts";
import type { Process } from "../proc/process.ts";
import type { KnobValue } from "../policy.ts";
import type { Mm } from "../mm/mm.ts";
import type { Vma } from "../mm/vma.ts";
import { getUserArg, putUserArg, type UserArg } from "../mm/uaccess.ts";
import { copyFromUserInto, getUserStruct, putUserU64 } from "../mm/uaccess.ts";
import { VM_FAULT_RETRY, VM_FAULT_SIGBUS } from "../mm/vm_ops.ts";
import {
  clear,
  combine,
  has,
  set,
  VM_DROPPABLE,
  VM_MAYWRITE,
  VM_UFFD_MINOR,
} from "../mm/vm_flags.ts";
import { VM_UFFD_MISSING, VM_UFFD_WP } from "../mm/vm_flags.ts";
import { vmaModify } from "../mm/vma_ops.ts";
import { anonVmaPrepare, mapFilePage, newAnonPage, readMapsZeroPage } from "../mm/fault.ts";
import { moveAnonPte } from "../mm/move_pte.ts";
import { filemapGetPage } from "../mm/filemap.ts";
import {
  MARKER_POISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
  PTE_YOUNG,
} from "../mm/pagetable.ts";
import { PG_ANON_EXCLUSIVE } from "../phys/frames.ts";
import {
  any,
  VM_ACCESS_FLAGS,
  VM_IO,
  VM_LOCKED,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
} from "../mm/vm_flags.ts";
import {
  UFFD_FEATURE_WP_ASYNC,
  UFFD_FEATURE_WP_UNPOPULATED,
  uffdWpRange,
  type UserfaultCtx,
  userfaultfdWp,
  WCHAN_USERFAULT,
} from "../mm/userfaultfd_k.ts";
import { WaitQueue, WouldBlock } from "../sched/wait.ts";
import type { FileOperations } from "../mm/file_operations.ts";
import type { OpenFile } from "./file.ts";
import { Inode, type SuperBlock } from "./inode.ts";
import { installFile } from "./syscalls.ts";
import { lowestFreeFd } from "./syscalls.ts";
import { nofileLimit } from "../proc/resource.ts";

/** include/uapi/linux/userfaultfd.h: UFFD_USER_MODE_ONLY. */
export const UFFD_USER_MODE_ONLY = 1;
/** UFFD_SHARED_FCNTL_FLAGS = O_CLOEXEC | O_NONBLOCK */
const UFFD_SHARED_FCNTL_FLAGS = O_CLOEXEC | O_NONBLOCK;

/** UFFD_FEATURE_PAGEFAULT_FLAG_WP (5.7): MODE_WP faults carry UFFD_PAGEFAULT_FLAG_WP. */
export const UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1n << 0n;
/** UFFD_FEATURE_EVENT_FORK (4.11): a fork's child keeps the registration on a new context. */
export const UFFD_FEATURE_EVENT_FORK = 1n << 1n;
/** UFFD_FEATURE_EVENT_REMAP (4.11): an mremap move of a registered VMA sends UFFD_EVENT_REMAP. */
export const UFFD_FEATURE_EVENT_REMAP = 1n << 2n;
/** UFFD_FEATURE_EVENT_REMOVE (4.11): MADV_DONTNEED/REMOVE/FREE send UFFD_EVENT_REMOVE. */
export const UFFD_FEATURE_EVENT_REMOVE = 1n << 3n;
/** UFFD_FEATURE_EVENT_UNMAP (4.11): munmap (and implicit unmaps) send UFFD_EVENT_UNMAP. */
export const UFFD_FEATURE_EVENT_UNMAP = 1n << 6n;
/** UFFD_FEATURE_MISSING_SHMEM (4.11): MODE_MISSING on shmem. */
export const UFFD_FEATURE_MISSING_SHMEM = 1n << 5n;
/** UFFD_FEATURE_SIGBUS (4.14). */
export const UFFD_FEATURE_SIGBUS = 1n << 7n;
/** UFFD_FEATURE_THREAD_ID (4.14). */
export const UFFD_FEATURE_THREAD_ID = 1n << 8n;
/** UFFD_FEATURE_MISSING_HUGETLBFS (4.11): mmlab has no hugetlbfs VMA to use it on. */
export const UFFD_FEATURE_MISSING_HUGETLBFS = 1n << 4n;
/** UFFD_FEATURE_MINOR_HUGETLBFS (5.13): as MISSING_HUGETLBFS. */
export const UFFD_FEATURE_MINOR_HUGETLBFS = 1n << 9n;
/** UFFD_FEATURE_MINOR_SHMEM (5.14): MODE_MINOR and UFFDIO_CONTINUE on shmem. */
export const UFFD_FEATURE_MINOR_SHMEM = 1n << 10n;
/** UFFD_FEATURE_WP_HUGETLBFS_SHMEM (5.19): MODE_WP on shmem (uffd-wp PTE markers). */
export const UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1n << 12n;
/** UFFD_FEATURE_POISON (6.6): UFFDIO_POISON. */
export const UFFD_FEATURE_POISON = 1n << 14n;
export { UFFD_FEATURE_WP_ASYNC, UFFD_FEATURE_WP_UNPOPULATED };
/** UFFD_FEATURE_MOVE (6.8): UFFDIO_MOVE. */
export const UFFD_FEATURE_MOVE = 1n << 16n;
/** UFFD_FEATURE_EXACT_ADDRESS (5.18). */
export const UFFD_FEATURE_EXACT_ADDRESS = 1n << 11n;
/**
 * include/uapi/linux/userfaultfd.h UFFD_API_FEATURES: every feature, 0x1ffff
 * on x86-64 6.18, which has CONFIG_HAVE_ARCH_USERFAULTFD_WP/_MINOR and
 * CONFIG_PTE_MARKER_UFFD_WP (userfaultfd_api() masks nothing there).
 */
export const UFFD_API_FEATURES = UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_EVENT_FORK |
  UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_MISSING_HUGETLBFS |
  UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_SIGBUS |
  UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_MINOR_HUGETLBFS | UFFD_FEATURE_MINOR_SHMEM |
  UFFD_FEATURE_EXACT_ADDRESS | UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_WP_UNPOPULATED |
  UFFD_FEATURE_POISON | UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_MOVE;
/** UFFD_API_IOCTLS: REGISTER | UNREGISTER | API. */
export const UFFD_API_IOCTLS = (1n << 0n) | (1n << 1n) | (1n << 63n);
/** _UFFDIO_* bits of `ioctls` that depend on the mode or the era. */
const IOCTL_MOVE = 1n << 5n;
const IOCTL_WRITEPROTECT = 1n << 6n;
const IOCTL_CONTINUE = 1n << 7n;
/**
 * UFFD_API_RANGE_IOCTLS: WAKE | COPY | ZEROPAGE | MOVE | WRITEPROTECT |
 * CONTINUE | POISON (0x1fc); UFFDIO_REGISTER drops WRITEPROTECT without
 * MODE_WP and CONTINUE without MODE_MINOR.
 */
export const UFFD_API_RANGE_IOCTLS = (1n << 2n) | (1n << 3n) | (1n << 4n) | IOCTL_MOVE |
  IOCTL_WRITEPROTECT | IOCTL_CONTINUE | (1n << 8n);

/** include/uapi/linux/userfaultfd.h: UFFD_EVENT_PAGEFAULT and its flags. */
export const UFFD_EVENT_PAGEFAULT = 0x12;
export const UFFD_PAGEFAULT_FLAG_WRITE = 1;
/** A write to a uffd-wp PTE (handle_userfault(VM_UFFD_WP)). */
export const UFFD_PAGEFAULT_FLAG_WP = 2;
/** A page-cache hit with no PTE in a MODE_MINOR VMA (handle_userfault(VM_UFFD_MINOR)). */
export const UFFD_PAGEFAULT_FLAG_MINOR = 4;
/** UFFD_EVENT_FORK: arg.fork.ufd, the child's uffd installed in the reader. */
export const UFFD_EVENT_FORK = 0x13;
/** UFFD_EVENT_REMAP: arg.remap {from, to, len}. */
export const UFFD_EVENT_REMAP = 0x14;
/** UFFD_EVENT_REMOVE: arg.remove {start, end}. */
export const UFFD_EVENT_REMOVE = 0x15;
/** UFFD_EVENT_UNMAP: arg.remove {start, end}. */
export const UFFD_EVENT_UNMAP = 0x16;
/** sizeof(struct uffd_msg) */
export const UFFD_MSG_SIZE = 32;

/** The anon_inodefs superblock (anon_inode_mnt): `[userfaultfd]` inodes live here. */
const ANON_INODE_SB: SuperBlock = {
  major: 0x00,
  minor: 0x0f,
  noexec: true,
  punchHole: false,
  name: "anon_inodefs",
};

/**
 * A kernel-mode access (copy_to_user/copy_from_user inside a syscall) hit a
 * userfault: the fault is queued and the thread must wait. Thrown out of
 * the fault path to unwind the syscall, which lib/syscalls.ts restarts once
 * the thread is woken; nothing outside lib sees it.
 */
export class UserfaultWouldBlock extends WouldBlock {
  constructor(wq: WaitQueue, readonly addr: number, readonly uffd: number) {
    super(wq, WCHAN_USERFAULT, `kernel access at 0x${addr.toString(16)} waits for uffd ${uffd}`);
  }
}

/** The wait channel of a read() of a userfaultfd with nothing to read. */
export const WCHAN_UFFD_READ = "userfaultfd_ctx_read";

/** struct userfaultfd_ctx */
export class UserfaultfdCtx implements UserfaultCtx {
  /** ctx->features, set once by UFFDIO_API (UFFD_FEATURE_INITIALIZED). */
  features = 0n;
  initialized = false;
  /** ctx->released: the file is gone. */
  released = false;
  /**
   * fault_pending_wqh: the struct uffd_msg of each fault not read yet, with
   * its thread. A thread woken before its message was read takes the
   * message with it (userfaultfd_wake_function: list_del_init).
   */
  readonly pending: { readonly tid: number; readonly msg: Uint8Array }[] = [];
  /**
   * event_wqh: the non-cooperative events not read yet, each with the
   * thread that waits for it to be read.
   */
  readonly events: {
    readonly tid: number;
    readonly msg: Uint8Array;
    read: boolean;
    /** A FORK event's child context, whose fd the reader gets. */
    readonly child?: UserfaultfdCtx;
  }[] = [];
  /**
   * ctx->mmap_changing: events sent whose senders have not gone on yet;
   * while it is not 0, COPY/ZEROPAGE/MOVE are EAGAIN.
   */
  mmapChanging = 0;
  /** UFFDIO_COPY's bounce page for the source (copy_from_user), reused. */
  bouncePage: Uint8Array | null = null;
  /** Page-fault messages read or dropped, reused by the next faults (no allocation each). */
  readonly freeMsgs: Uint8Array[] = [];
  /** The senders of events, asleep until theirs is read. */
  readonly eventWq: WaitQueue;
  /** fault_wqh: threads asleep in handle_userfault(). */
  readonly faultWq: WaitQueue;
  /** fd_wqh: readers asleep until a message comes. */
  readonly readWq: WaitQueue;
  private readonly unsubscribe: () => void;

  constructor(readonly id: number, readonly mm: Mm, readonly flags: number) {
    this.faultWq = new WaitQueue(`uffd ${id}`);
    this.readWq = new WaitQueue(`uffd ${id} readers`);
    this.eventWq = new WaitQueue(`uffd ${id} events`);
    this.unsubscribe = mm.userfaults.subscribe(this);
  }

  /**
   * fs/userfaultfd.c handle_userfault(), for a missing anonymous page of a
   * VMA registered with this context. Order: UFFD_FEATURE_SIGBUS is
   * VM_FAULT_SIGBUS; a kernel-mode fault (no FAULT_FLAG_USER) on a
   * UFFD_USER_MODE_ONLY context is VM_FAULT_SIGBUS (the caller's EFAULT);
   * ctx->released is never seen (release unregistered the VMAs first);
   * otherwise the fault is queued as a UFFD_EVENT_PAGEFAULT message and the
   * thread waits (VM_FAULT_RETRY once woken).
   */
  missing(vma: Vma, _addr: number, write: boolean, realAddr: number): number {
    if (vma.uffd !== this || !(vma.flags & VM_UFFD_MISSING)) return -1;
    return this.handleUserfault(write, realAddr, 0);
  }

  /** handle_userfault(vmf, VM_UFFD_WP): a write to a uffd-wp PTE of a VMA registered here. */
  wp(vma: Vma, _addr: number, realAddr: number): number {
    if (vma.uffd !== this) return -1;
    return this.handleUserfault(true, realAddr, UFFD_PAGEFAULT_FLAG_WP);
  }

  /** handle_userfault(vmf, VM_UFFD_MINOR): a cached shmem page with no PTE. */
  minor(vma: Vma, _addr: number, write: boolean, realAddr: number): number {
    if (vma.uffd !== this || !has(vma.flags, VM_UFFD_MINOR)) return -1;
    return this.handleUserfault(write, realAddr, UFFD_PAGEFAULT_FLAG_MINOR);
  }

  /**
   * handle_userfault() for any reason; `reason` is the message's
   * UFFD_PAGEFAULT_FLAG_WP or _MINOR (userfault_msg()), 0 for a missing page.
   */
  private handleUserfault(write: boolean, realAddr: number, reason: number): number {
    if (this.features & UFFD_FEATURE_SIGBUS) return VM_FAULT_SIGBUS;
    const user = this.mm.faultFlagUser;
    if (!user && (this.flags & UFFD_USER_MODE_ONLY)) return VM_FAULT_SIGBUS;
    const t = this.mm.machine.current;
    // No thread to put to sleep (a verb or driver path the REPL runs outside
    // a syscall): unwind before anything is queued; the caller cannot wait.
    if (t === null) throw new UserfaultWouldBlock(this.faultWq, realAddr, this.id);
    // uffd_msg: event, then arg.pagefault {flags, address, feat.ptid}.
    const address = this.features & UFFD_FEATURE_EXACT_ADDRESS
      ? realAddr
      : realAddr - (realAddr % 4096);
    const msg = this.freeMsgs.pop()?.fill(0) ?? new Uint8Array(UFFD_MSG_SIZE);
    msg[0] = UFFD_EVENT_PAGEFAULT;
    putLe(msg, 8, (write ? UFFD_PAGEFAULT_FLAG_WRITE : 0) | reason, 8);
    putLe(msg, 16, address, 8);
    if (this.features & UFFD_FEATURE_THREAD_ID) putLe(msg, 24, t.tid, 4);
    this.pending.push({ tid: t.tid, msg });
    const tid = t.tid;
    t.userfault = { wq: this.faultWq, ctx: this, address, drop: () => this.dropPending(tid) };
    // A kernel access (copy_to_user in pread, GUP) sleeps inside the
    // syscall: the call unwinds and restarts once the thread is woken
    // (lib/syscalls.ts), as the kernel's retried fault lets it go on.
    // A reader waiting for a message gets one (wake_up_poll(&ctx->fd_wqh)).
    this.mm.machine.sched.wakeAll(this.readWq);
    if (!user) throw new UserfaultWouldBlock(this.faultWq, realAddr, this.id);
    return VM_FAULT_RETRY;
  }

  /**
   * userfaultfd_event_wait_completion(): queues a non-cooperative event
   * (mmap_changing goes up until its sender goes on), wakes the readers,
   * and makes the current thread wait for it to be read at the end of its
   * call (lib/syscalls.ts). Without a current thread (a kernel-internal
   * unmap) no event is sent.
   */
  private sendEvent(
    event: number,
    a: number,
    b: number,
    child?: UserfaultfdCtx,
  ): { msg: Uint8Array; drop: () => void } | null {
    const t = this.mm.machine.current;
    if (t === null || this.released) return null;
    const msg = new Uint8Array(UFFD_MSG_SIZE);
    const dv = new DataView(msg.buffer);
    msg[0] = event;
    dv.setBigUint64(8, BigInt(a), true);
    dv.setBigUint64(16, BigInt(b), true);
    const ev = { tid: t.tid, msg, read: false, ...(child ? { child } : {}) };
    this.events.push(ev);
    this.mmapChanging++;
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      this.mmapChanging--;
    };
    const drop = () => {
      const i = this.events.indexOf(ev);
      if (i >= 0) this.events.splice(i, 1);
      // An unread FORK's context goes (userfaultfd_release_new).
      if (i >= 0) ev.child?.release();
      end();
    };
    t.uffdEvents.push({
      wq: this.eventWq,
      done: () => {
        if (ev.read || this.released) end();
        return over;
      },
      drop,
    });
    this.mm.machine.sched.wakeAll(this.readWq);
    return { msg, drop };
  }

  /**
   * mremap_userfaultfd_prep(): with EVENT_REMAP a moved VMA keeps this
   * context, and the UFFD_EVENT_REMAP is queued now (after the early unmap
   * of an MREMAP_FIXED destination, before the unmap of the source, as
   * do_mremap completes them); mremap_userfaultfd_complete() fills in
   * arg.remap {from, to, len}, or drops it when the move failed.
   */
  remapPrep(): ((move: { from: number; to: number; len: number } | null) => void) | null {
    if (!(this.features & UFFD_FEATURE_EVENT_REMAP)) return null;
    const ev = this.sendEvent(UFFD_EVENT_REMAP, 0, 0);
    return (move) => {
      if (ev === null) return;
      if (move === null) return ev.drop();
      const dv = new DataView(ev.msg.buffer);
      dv.setBigUint64(8, BigInt(move.from), true);
      dv.setBigUint64(16, BigInt(move.to), true);
      dv.setBigUint64(24, BigInt(move.len), true);
    };
  }

  /**
   * dup_userfaultfd(): with EVENT_FORK a new context on the child's mm with
   * this one's flags and features (mmap_changing 0), without a file until
   * the FORK event is read.
   */
  forkDup(childMm: Mm): UserfaultfdCtx | null {
    if (!(this.features & UFFD_FEATURE_EVENT_FORK)) return null;
    const c = new UserfaultfdCtx(this.mm.machine.nextUffdId(), childMm, this.flags);
    c.features = this.features;
    c.initialized = true;
    return c;
  }

  /** dup_userfaultfd_complete(): the UFFD_EVENT_FORK for `child`; the forker waits until it is read. */
  forkComplete(child: UserfaultfdCtx): void {
    if (this.sendEvent(UFFD_EVENT_FORK, 0, 0, child) === null) child.release();
  }

  /** Whether a VMA registered with this context intersects [start, end). */
  private registeredIn(start: number, end: number): boolean {
    return vmasIn(this.mm, start, end).some((v) => v.uffd === this);
  }

  /**
   * userfaultfd_unmap_prep() + userfaultfd_unmap_complete(): with
   * EVENT_UNMAP, an unmap of [start, end) touching a VMA registered here
   * sends one UFFD_EVENT_UNMAP {start, end} (the whole unmapped range).
   */
  unmap(start: number, end: number): void {
    if (!(this.features & UFFD_FEATURE_EVENT_UNMAP)) return;
    if (!this.registeredIn(start, end)) return;
    this.sendEvent(UFFD_EVENT_UNMAP, start, end);
  }

  /**
   * userfaultfd_remove(): with EVENT_REMOVE, MADV_DONTNEED/_LOCKED, FREE or
   * REMOVE on [start, end) of a VMA registered here sends UFFD_EVENT_REMOVE
   * {start, end} (the part of that VMA).
   */
  remove(vma: Vma, start: number, end: number): void {
    if (vma.uffd !== this || !(this.features & UFFD_FEATURE_EVENT_REMOVE)) return;
    this.sendEvent(UFFD_EVENT_REMOVE, start, end);
  }

  /** A waiter left (woken or killed): its unread message goes with it. */
  dropPending(tid: number): void {
    const i = this.pending.findIndex((e) => e.tid === tid);
    if (i >= 0) this.freeMsgs.push(this.pending.splice(i, 1)[0].msg);
  }

  /**
   * userfaultfd_release(): unregisters every VMA of this context (they
   * merge back with their neighbours) and wakes every waiter, whose fault
   * then retries as an ordinary one.
   */
  release(): void {
    this.released = true;
    modifyVmasIn(this.mm, 0, TASK_SIZE, (v) => {
      if (v.uffd !== this) return 0;
      // userfaultfd_clear_vma(): a wr-protected VMA's PTEs are reset first.
      if (userfaultfdWp(v)) uffdWpRange(this.mm, v, v.start, v.end, false);
      const r = vmaModify(this.mm, v, v.start, v.end, {
        flags: clear(v.flags, combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR)),
        uffd: null,
      });
      if (typeof r === "number") {
        v.flags = clear(v.flags, combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR));
        v.uffd = null;
      }
      return 0;
    });
    for (const t of this.faultWq.waiters) this.dropPending(t.tid);
    this.mm.machine.sched.wakeAll(this.faultWq);
    // The senders of unread events go on (userfaultfd_release: event_wqh);
    // an unread FORK's child context goes too (userfaultfd_release_new).
    for (const ev of this.events.splice(0)) ev.child?.release();
    this.mm.machine.sched.wakeAll(this.eventWq);
    this.unsubscribe();
  }
}

/**
 * Stores `v` (an integer in [0, 2^53)) little-endian in `n` bytes at `off`:
 * a message field, without a DataView on a fresh buffer (which costs more
 * than the message).
 */
function putLe(b: Uint8Array, off: number, v: number, n: number): void {
  for (let i = 0; i < n; i++, v = Math.floor(v / 256)) b[off + i] = v % 256;
}

function ctxOf(f: OpenFile): UserfaultfdCtx {
  return f.inode.priv as UserfaultfdCtx;
}

/** The VMAs intersecting [start, end), ascending. */
function vmasIn(mm: Mm, start: number, end: number): Vma[] {
  const out: Vma[] = [];
  for (const v of mm.vmas) {
    if (v.end <= start) continue;
    if (v.start >= end) break;
    out.push(v);
  }
  return out;
}

/**
 * Calls `f` on each VMA meeting [start, end) with the part of it inside,
 * walking by address, so that the merges and splits `f` makes are seen (as
 * the kernel's VMA iterator is re-synced after each vma_modify): a VMA an
 * earlier step merged away is never touched. Stops at the first -errno.
 */
function modifyVmasIn(
  mm: Mm,
  start: number,
  end: number,
  f: (v: Vma, a: number, z: number) => number,
): number {
  let addr = start;
  while (addr < end) {
    const v = mm.vmas.find(addr);
    if (v === null || v.start >= end) break;
    const z = Math.min(end, v.end);
    const r = f(v, Math.max(addr, v.start), z);
    if (r < 0) return r;
    addr = z;
  }
  return 0;
}

/** fs/userfaultfd.c validate_range(): page-aligned, non-empty, inside TASK_SIZE. */
function validateRange(start: bigint, len: bigint): number {
  if (start & 0xfffn) return -EINVAL;
  if (len & 0xfffn) return -EINVAL;
  if (len === 0n) return -EINVAL;
  if (start >= BigInt(TASK_SIZE)) return -EINVAL;
  if (len > BigInt(TASK_SIZE) - start) return -EINVAL;
  return 0;
}

/** vma_is_shmem(): a shmem (memfd, tmpfs, shared anonymous) mapping. */
function vmaIsShmem(v: Vma): boolean {
  return v.file?.inode.kind === "shmem";
}

/**
 * include/linux/userfaultfd_k.h vma_can_userfault() for the modes
 * `vmFlags` (VM_UFFD_*): never VM_DROPPABLE; MINOR only on shmem (or
 * hugetlb, which mmlab lacks); WP alone on any VMA with WP_ASYNC;
 * otherwise anonymous or shmem.
 */
function vmaCanUserfault(v: Vma, vmFlags: number, wpAsync: boolean): boolean {
  if (has(v.flags, VM_DROPPABLE)) return false;
  if (has(vmFlags, VM_UFFD_MINOR) && !vmaIsShmem(v)) return false;
  if (wpAsync && vmFlags === VM_UFFD_WP) return true;
  return v.isAnonymous || vmaIsShmem(v);
}

/** __VM_UFFD_FLAGS */
const VM_UFFD_FLAGS = combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR);

/** `flags & __VM_UFFD_FLAGS` (VM_UFFD_MINOR is above bit 31). */
function uffdFlagsOf(flags: number): number {
  return combine(...[VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR].filter((m) => has(flags, m)));
}

function readStruct(p: Process, arg: UserArg, size: number): Uint8Array | null {
  return getUserArg(p, arg, size);
}

function field(v: StructValue, name: string): bigint {
  return v.get(name) as bigint;
}

/** fs/userfaultfd.c userfaultfd_api(). */
function userfaultfdApi(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_API_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_API_LAYOUT, b);
  const features = field(v, "features");
  const zero = () => putUserArg(p, arg, new Uint8Array(UFFDIO_API_LAYOUT.size)) ? -EINVAL : -EFAULT;
  if (field(v, "api") !== UFFD_API) return zero();
  // EVENT_FORK without CAP_SYS_PTRACE is EPERM: mmlab runs as root.
  // Before 6.8 (policy uffd.remap) there is no UFFD_FEATURE_MOVE.
  const known = HAS_UFFDIO_MOVE[p.mm.machine.policy("uffd.remap")]
    ? UFFD_API_FEATURES
    : UFFD_API_FEATURES & ~UFFD_FEATURE_MOVE;
  if (features & ~known) return zero();
  // userfaultfd_api(): WP_ASYNC relies on WP_UNPOPULATED, which it turns on.
  const ctxFeatures = features & UFFD_FEATURE_WP_ASYNC
    ? features | UFFD_FEATURE_WP_UNPOPULATED
    : features;
  const out = encodeStruct(
    UFFDIO_API_LAYOUT,
    new Map([["api", UFFD_API], ["features", known], ["ioctls", UFFD_API_IOCTLS]]),
  ) as Uint8Array;
  if (!putUserArg(p, arg, out)) return -EFAULT;
  // userfaultfd_set_features(): once only, even if the first asked for nothing.
  if (ctx.initialized) return -EINVAL;
  ctx.initialized = true;
  ctx.features = ctxFeatures;
  return 0;
}

/** fs/userfaultfd.c userfaultfd_register(). */
function userfaultfdRegister(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_REGISTER_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_REGISTER_LAYOUT, b);
  const mode = field(v, "mode");
  const range = v.get("range") as StructValue;
  if (mode === 0n) return -EINVAL;
  if (
    mode & ~(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MINOR)
  ) {
    return -EINVAL;
  }
  // The modes as VM_UFFD_* flags (x86-64 has CONFIG_HAVE_ARCH_USERFAULTFD_WP/_MINOR).
  let vmFlags = 0;
  if (mode & UFFDIO_REGISTER_MODE_MISSING) vmFlags = set(vmFlags, VM_UFFD_MISSING);
  if (mode & UFFDIO_REGISTER_MODE_WP) vmFlags = set(vmFlags, VM_UFFD_WP);
  if (mode & UFFDIO_REGISTER_MODE_MINOR) vmFlags = set(vmFlags, VM_UFFD_MINOR);
  const wpAsync = (ctx.features & UFFD_FEATURE_WP_ASYNC) !== 0n;
  const start = field(range, "start");
  const len = field(range, "len");
  const e = validateRange(start, len);
  if (e) return e;
  const mm = ctx.mm;
  if (mm !== p.mm && p.mm === null) return -ENOMEM;
  const s = Number(start);
  const end = s + Number(len);
  const vmas = vmasIn(mm, s, end);
  if (vmas.length === 0) return -EINVAL;
  // Every intersecting VMA is checked before any is changed.
  for (const w of vmas) {
    if (!vmaCanUserfault(w, vmFlags, wpAsync)) return -EINVAL;
    if (!(w.flags & VM_MAYWRITE)) return -EPERM;
    if (w.uffd !== null && w.uffd !== ctx) return -EBUSY;
  }
  // mm/userfaultfd.c userfaultfd_register_range(): a VMA of this context
  // that has every mode asked for already is left alone; others get the
  // modes asked for in place of the ones they had.
  const err = modifyVmasIn(mm, s, end, (w, a, z) => {
    if (w.uffd === ctx && has(w.flags, vmFlags)) return 0;
    const flags = set(clear(w.flags, VM_UFFD_FLAGS), vmFlags);
    const r = vmaModify(mm, w, a, z, { flags, uffd: ctx });
    return typeof r === "number" ? r : 0;
  });
  if (err) return err;
  // The ioctls guaranteed on the range: WRITEPROTECT only with MODE_WP,
  // CONTINUE only with MODE_MINOR, MOVE only where it exists (uffd.remap).
  let ioctls = UFFD_API_RANGE_IOCTLS;
  if (!(mode & UFFDIO_REGISTER_MODE_WP)) ioctls &= ~IOCTL_WRITEPROTECT;
  if (!(mode & UFFDIO_REGISTER_MODE_MINOR)) ioctls &= ~IOCTL_CONTINUE;
  if (!HAS_UFFDIO_MOVE[mm.machine.policy("uffd.remap")]) ioctls &= ~IOCTL_MOVE;
  v.set("ioctls", ioctls);
  const out = encodeStruct(UFFDIO_REGISTER_LAYOUT, v) as Uint8Array;
  return putUserArg(p, arg, out) ? 0 : -EFAULT;
}

/** fs/userfaultfd.c userfaultfd_unregister(). */
function userfaultfdUnregister(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_RANGE.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_RANGE, b);
  const start = field(v, "start");
  const len = field(v, "len");
  const e = validateRange(start, len);
  if (e) return e;
  const mm = ctx.mm;
  const s = Number(start);
  const end = s + Number(len);
  const vmas = vmasIn(mm, s, end);
  if (vmas.length === 0) return -EINVAL;
  const wpAsync = (ctx.features & UFFD_FEATURE_WP_ASYNC) !== 0n;
  for (const w of vmas) {
    if (!vmaCanUserfault(w, uffdFlagsOf(w.flags), wpAsync)) return -EINVAL;
    if (w.uffd !== null && w.uffd !== ctx) return -EINVAL;
  }
  return modifyVmasIn(mm, s, end, (w, a, z) => {
    if (w.uffd === null) return 0;
    // wake_userfault(): the waiters of this range retry as ordinary faults.
    wakeRange(ctx, a, z - a);
    // userfaultfd_clear_vma(): a wr-protected range's PTEs are reset first.
    if (userfaultfdWp(w)) uffdWpRange(mm, w, a, z, false);
    const r = vmaModify(mm, w, a, z, {
      flags: clear(w.flags, combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR)),
      uffd: null,
    });
    return typeof r === "number" ? r : 0;
  });
}

/** userfaultfd_wake_function(): wakes the waiters whose fault address is in range. */
function wakeRange(ctx: UserfaultfdCtx, start: number, len: number): number {
  return ctx.mm.machine.sched.wakeIf(ctx.faultWq, (t) => {
    const a = t.userfault?.address ?? -1;
    if (a < start || a >= start + len) return false;
    ctx.dropPending(t.tid);
    return true;
  });
}

/** fs/userfaultfd.c userfaultfd_wake(). */
function userfaultfdWake(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_RANGE.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_RANGE, b);
  const e = validateRange(field(v, "start"), field(v, "len"));
  if (e) return e;
  wakeRange(ctx, Number(field(v, "start")), Number(field(v, "len")));
  return 0;
}

/** mfill_atomic()'s uffd_flags_t: the operation, and MFILL_ATOMIC_WP. */
type MfillMode = "copy" | "zeropage" | "continue" | "poison";

/**
 * mm/userfaultfd.c mfill_atomic(): fills [dst, dst+len) page by page with
 * `fill` (a copy from `src`, the zero page, a page-cache page, a poison
 * marker). Returns bytes done, or -errno when nothing was done.
 */
function mfillAtomic(
  p: Process,
  ctx: UserfaultfdCtx,
  dst: number,
  len: number,
  mode: MfillMode,
  wp: boolean,
  fill: (v: Vma, addr: number, i: number) => number,
): number {
  const mm = ctx.mm;
  // mfill_atomic(): the dst VMA must exist, cover the range, and be
  // registered (uffd_mfill_lock / validate_dst_vma: with any context of
  // the mm, not necessarily this one; checked on 6.18.44).
  const v = mm.vmas.find(dst);
  if (v === null || v.start > dst) return -ENOENT;
  // uffd_lock_vma(): a private VMA gets its anon_vma as soon as it is
  // found, before the range and the registration are checked (so even an
  // ENOENT leaves it one: VM_ACCOUNT then survives an mprotect read-only).
  if (!(v.flags & VM_SHARED)) anonVmaPrepare(v);
  if (v.end < dst + len) return -ENOENT;
  if (v.uffd === null) return -ENOENT;
  // MFILL_ATOMIC_WP only into a VM_UFFD_WP VMA.
  if (wp && !userfaultfdWp(v)) return -EINVAL;
  // Anonymous or shmem only (vma_is_shmem): other files are EINVAL.
  if (!v.isAnonymous && !vmaIsShmem(v)) return -EINVAL;
  // UFFDIO_CONTINUE only on shmem.
  if (mode === "continue" && !vmaIsShmem(v)) return -EINVAL;
  let done = 0;
  for (let i = 0; done < len; i++) {
    const addr = dst + done;
    // COPY and ZEROPAGE: a present PTE is EEXIST; mfill_atomic_install_pte()
    // may overwrite a PTE marker (pte_none_mostly), anonymous
    // mfill_atomic_pte_zeropage() may not. CONTINUE and POISON check in `fill`.
    const b = mm.pt.bitsAt(addr / 4096);
    const noneMostly = b === 0 ||
      ((b & PTE_MARKER) !== 0 && !(mode === "zeropage" && v.isAnonymous));
    if ((mode === "copy" || mode === "zeropage") && !noneMostly) {
      return done > 0 ? done : -EEXIST;
    }
    const r = fill(v, addr, i);
    if (r < 0) return done > 0 ? done : r;
    // pte_mkuffd_wp(): the new PTE is uffd-wp and read-only.
    if (wp) {
      const nb = mm.pt.bitsAt(addr / 4096);
      if (nb & PTE_PRESENT) mm.pt.modify(addr / 4096, (nb | PTE_UFFD_WP) & ~PTE_WRITE);
    }
    done += 4096;
  }
  void p;
  return done;
}

/**
 * mm/shmem.c shmem_mfill_atomic_pte() for a VM_SHARED shmem VMA: a new
 * page-cache page at the VMA's offset (zeroed, or `data`), mapped dirty
 * (writable in a writable VMA). Beyond i_size EFAULT; a page the cache
 * already has EEXIST.
 */
function shmemMfill(mm: Mm, vma: Vma, addr: number, data: Uint8Array | null): number {
  const inode = vma.file!.inode;
  const pgoff = vma.pageIndex(addr);
  if (pgoff >= inode.sizePages) return -EFAULT;
  if (inode.pages.has(pgoff)) return -EEXIST;
  const page = filemapGetPage(mm.machine, inode, pgoff);
  if (page < 0) return -ENOMEM;
  // The new page is zero: a copy of zeros leaves it without bytes.
  if (data !== null && !allZero(data)) mm.machine.frames.load(page, data);
  mapFilePage(mm, vma, addr, page, true);
  // mfill_atomic_install_pte(): pte_mkdirty() in a read-only VMA too.
  mm.pt.modify(addr / 4096, mm.pt.bitsAt(addr / 4096) | PTE_DIRTY);
  return 0;
}

/**
 * mm/userfaultfd.c mfill_atomic_install_pte() for a fresh anonymous page:
 * the PTE is always made dirty (pte_mkdirty()), writable only in a
 * writable VMA, so the page counts as Private_Dirty even in a read-only or
 * PROT_NONE VMA. Returns the pfn, or -1 out of memory.
 */
function installAnonPte(mm: Mm, vma: Vma, addr: number): number {
  const pfn = newAnonPage(mm, vma, addr, -1);
  if (pfn >= 0) mm.pt.modify(addr / 4096, mm.pt.bitsAt(addr / 4096) | PTE_DIRTY);
  return pfn;
}

/** Whether a page of bytes is all zero (a word at a time). */
function allZero(b: Uint8Array): boolean {
  const w = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
  for (let k = 0; k < w.length; k++) if (w[k] !== 0) return false;
  return true;
}

/** offsetof(struct uffdio_copy, copy) */
const UFFDIO_COPY_OUT = UFFDIO_COPY_LAYOUT.fields.find((f) => f.name === "copy")!.offset;

/** fs/userfaultfd.c userfaultfd_copy(). */
function userfaultfdCopy(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const v = getUserStruct(p, arg, UFFDIO_COPY_LAYOUT);
  if (v === null) return -EFAULT;
  const dst = field(v, "dst");
  const src = field(v, "src");
  const len = field(v, "len");
  const mode = field(v, "mode");
  // put_user(ret, &user_uffdio_copy->copy): the out field alone.
  const put = (copy: bigint): boolean => putUserU64(p, arg, UFFDIO_COPY_OUT, copy);
  // An event is in flight (mmap_changing): copy=-EAGAIN.
  if (ctx.mmapChanging > 0) return put(BigInt(-EAGAIN)) ? -EAGAIN : -EFAULT;
  // validate_unaligned_range() on src: it need not be page-aligned.
  if (len === 0n || (len & 0xfffn) || src >= BigInt(TASK_SIZE) || len > BigInt(TASK_SIZE) - src) {
    return -EINVAL;
  }
  const e = validateRange(dst, len);
  if (e) return e;
  if (mode & ~(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP)) return -EINVAL;
  const wp = (mode & UFFDIO_COPY_MODE_WP) !== 0n;
  const r = mfillAtomic(p, ctx, Number(dst), Number(len), "copy", wp, (vma, addr, i) => {
    // mfill_atomic_pte_copy(): copy_from_user of the source page.
    const data = ctx.bouncePage ??= new Uint8Array(4096);
    if (copyFromUserInto(p, Number(src) + i * 4096, data) < 4096) return -EFAULT;
    if (vma.flags & VM_SHARED) return shmemMfill(ctx.mm, vma, addr, data);
    // mfill_atomic_install_pte() checks pte_none again under the PTE lock:
    // reading the source may have mapped dst meanwhile (fault-around of a
    // file page beside it), and then the copy is EEXIST.
    const now = ctx.mm.pt.bitsAt(addr / 4096);
    if (now !== 0 && !(now & PTE_MARKER)) return -EEXIST;
    const pfn = installAnonPte(ctx.mm, vma, addr);
    if (pfn < 0) return -ENOMEM;
    // The fresh page reads as zeros: a source page of zeros leaves it so.
    if (!allZero(data)) ctx.mm.machine.frames.load(pfn, data);
    return 0;
  });
  return mfillDone(
    ctx,
    put,
    r,
    Number(dst),
    Number(len),
    (mode & UFFDIO_COPY_MODE_DONTWAKE) !== 0n,
  );
}

/** fs/userfaultfd.c userfaultfd_zeropage(). */
function userfaultfdZeropage(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_ZEROPAGE_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_ZEROPAGE_LAYOUT, b);
  const range = v.get("range") as StructValue;
  const start = field(range, "start");
  const len = field(range, "len");
  const mode = field(v, "mode");
  const put = (n: bigint): boolean => {
    v.set("zeropage", n);
    return putUserArg(p, arg, encodeStruct(UFFDIO_ZEROPAGE_LAYOUT, v) as Uint8Array);
  };
  // An event is in flight (mmap_changing): zeropage=-EAGAIN.
  if (ctx.mmapChanging > 0) return put(BigInt(-EAGAIN)) ? -EAGAIN : -EFAULT;
  const e = validateRange(start, len);
  if (e) return e;
  if (mode & ~UFFDIO_ZEROPAGE_MODE_DONTWAKE) return -EINVAL;
  const frames = ctx.mm.machine.frames;
  const r = mfillAtomic(p, ctx, Number(start), Number(len), "zeropage", false, (vma, addr) => {
    if (vma.flags & VM_SHARED) return shmemMfill(ctx.mm, vma, addr, null);
    // mfill_atomic_pte_zeropage(): where mm_forbids_zeropage(), a zeroed
    // folio (mfill_atomic_pte_zeroed_folio()); else the shared zero page,
    // read-only.
    if (!readMapsZeroPage(ctx.mm)) return installAnonPte(ctx.mm, vma, addr) < 0 ? -ENOMEM : 0;
    ctx.mm.pt.set(addr / 4096, frames.zeroPfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
    return 0;
  });
  const dontwake = (mode & UFFDIO_ZEROPAGE_MODE_DONTWAKE) !== 0n;
  return mfillDone(ctx, put, r, Number(start), Number(len), dontwake);
}

/**
 * The end of UFFDIO_COPY and UFFDIO_ZEROPAGE: the out field gets the bytes
 * filled or -errno, the waiters of what was filled are woken unless
 * DONTWAKE, and a short fill is -EAGAIN (the caller retries the rest).
 */
function mfillDone(
  ctx: UserfaultfdCtx,
  put: (n: bigint) => boolean,
  r: number,
  start: number,
  len: number,
  dontwake: boolean,
): number {
  if (!put(BigInt(r))) return -EFAULT;
  if (r < 0) return r;
  if (!dontwake) wakeRange(ctx, start, r);
  return r === len ? 0 : -EAGAIN;
}

/**
 * mm/userfaultfd.c mfill_atomic_pte_continue() for one page of a shmem
 * VMA: the page the cache has at its offset (shmem_get_folio(SGP_NOALLOC):
 * EINVAL at or past i_size, EFAULT when not cached), mapped by
 * mfill_atomic_install_pte(): EEXIST unless the PTE is none or a marker;
 * dirty, writable in a writable shared VMA.
 */
function continuePte(mm: Mm, vma: Vma, addr: number): number {
  const inode = vma.file!.inode;
  const pgoff = vma.pageIndex(addr);
  if (pgoff >= inode.sizePages) return -EINVAL;
  const page = inode.pages.get(pgoff);
  if (page === undefined) return -EFAULT;
  const b = mm.pt.bitsAt(addr / 4096);
  if (b !== 0 && !(b & PTE_MARKER)) return -EEXIST;
  const shared = (vma.flags & VM_SHARED) !== 0;
  mapFilePage(mm, vma, addr, page, shared);
  // mfill_atomic_install_pte(): pte_mkdirty() whatever the VMA's protection.
  mm.pt.modify(addr / 4096, mm.pt.bitsAt(addr / 4096) | PTE_DIRTY);
  return 0;
}

/**
 * mm/userfaultfd.c mfill_atomic_pte_poison(): a PTE_MARKER_POISONED in a
 * none PTE (any other entry, a marker too, is EEXIST); in a file VMA a
 * page at or past i_size is EFAULT (mfill_file_over_size()).
 */
function poisonPte(mm: Mm, vma: Vma, addr: number): number {
  if (vma.file !== null && vma.pageIndex(addr) >= vma.file.inode.sizePages) return -EFAULT;
  if (mm.pt.bitsAt(addr / 4096) !== 0) return -EEXIST;
  mm.pt.set(addr / 4096, MARKER_POISON, PTE_MARKER);
  return 0;
}

/** fs/userfaultfd.c userfaultfd_continue() (5.13). */
function userfaultfdContinue(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_CONTINUE_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_CONTINUE_LAYOUT, b);
  const range = v.get("range") as StructValue;
  const start = field(range, "start");
  const len = field(range, "len");
  const mode = field(v, "mode");
  const put = (n: bigint): boolean => {
    v.set("mapped", n);
    return putUserArg(p, arg, encodeStruct(UFFDIO_CONTINUE_LAYOUT, v) as Uint8Array);
  };
  // An event is in flight (mmap_changing): mapped=-EAGAIN.
  if (ctx.mmapChanging > 0) return put(BigInt(-EAGAIN)) ? -EAGAIN : -EFAULT;
  const e = validateRange(start, len);
  if (e) return e;
  if (mode & ~(UFFDIO_CONTINUE_MODE_DONTWAKE | UFFDIO_CONTINUE_MODE_WP)) return -EINVAL;
  const wp = (mode & UFFDIO_CONTINUE_MODE_WP) !== 0n;
  const r = mfillAtomic(
    p,
    ctx,
    Number(start),
    Number(len),
    "continue",
    wp,
    (vma, addr) => continuePte(ctx.mm, vma, addr),
  );
  const dontwake = (mode & UFFDIO_CONTINUE_MODE_DONTWAKE) !== 0n;
  return mfillDone(ctx, put, r, Number(start), Number(len), dontwake);
}

/** fs/userfaultfd.c userfaultfd_poison() (6.6). */
function userfaultfdPoison(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_POISON_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_POISON_LAYOUT, b);
  const range = v.get("range") as StructValue;
  const start = field(range, "start");
  const len = field(range, "len");
  const mode = field(v, "mode");
  const put = (n: bigint): boolean => {
    v.set("updated", n);
    return putUserArg(p, arg, encodeStruct(UFFDIO_POISON_LAYOUT, v) as Uint8Array);
  };
  // An event is in flight (mmap_changing): updated=-EAGAIN.
  if (ctx.mmapChanging > 0) return put(BigInt(-EAGAIN)) ? -EAGAIN : -EFAULT;
  const e = validateRange(start, len);
  if (e) return e;
  if (mode & ~UFFDIO_POISON_MODE_DONTWAKE) return -EINVAL;
  const r = mfillAtomic(
    p,
    ctx,
    Number(start),
    Number(len),
    "poison",
    false,
    (vma, addr) => poisonPte(ctx.mm, vma, addr),
  );
  const dontwake = (mode & UFFDIO_POISON_MODE_DONTWAKE) !== 0n;
  return mfillDone(ctx, put, r, Number(start), Number(len), dontwake);
}

/**
 * mm/userfaultfd.c mwriteprotect_range(): every VMA meeting the range must
 * be userfaultfd_wp() (ENOENT, as when none does); each part is
 * uffd_wp_range()'d. Holes between VMAs are skipped.
 */
function mwriteprotectRange(ctx: UserfaultfdCtx, start: number, len: number, enable: boolean) {
  const mm = ctx.mm;
  const end = start + len;
  let err = -ENOENT;
  for (const v of vmasIn(mm, start, end)) {
    if (!userfaultfdWp(v)) return -ENOENT;
    uffdWpRange(mm, v, Math.max(v.start, start), Math.min(v.end, end), enable);
    err = 0;
  }
  return err;
}

/**
 * fs/userfaultfd.c userfaultfd_writeprotect() (5.7): EAGAIN while an event
 * is in flight, then the struct (EFAULT), the range, the mode (unknown
 * bits, or WP with DONTWAKE: EINVAL); clearing the protection wakes the
 * range's waiters unless DONTWAKE.
 */
function userfaultfdWriteprotect(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  if (ctx.mmapChanging > 0) return -EAGAIN;
  const b = readStruct(p, arg, UFFDIO_WRITEPROTECT_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_WRITEPROTECT_LAYOUT, b);
  const range = v.get("range") as StructValue;
  const start = field(range, "start");
  const len = field(range, "len");
  const mode = field(v, "mode");
  const e = validateRange(start, len);
  if (e) return e;
  if (mode & ~(UFFDIO_WRITEPROTECT_MODE_DONTWAKE | UFFDIO_WRITEPROTECT_MODE_WP)) return -EINVAL;
  const wp = (mode & UFFDIO_WRITEPROTECT_MODE_WP) !== 0n;
  const dontwake = (mode & UFFDIO_WRITEPROTECT_MODE_DONTWAKE) !== 0n;
  if (wp && dontwake) return -EINVAL;
  const r = mwriteprotectRange(ctx, Number(start), Number(len), wp);
  if (r) return r;
  if (!wp && !dontwake) wakeRange(ctx, Number(start), Number(len));
  return 0;
}

/**
 * mm/userfaultfd.c validate_move_areas(): same access flags and mlock
 * state, writable, dst registered with this context, both anonymous.
 */
function validateMoveAreas(ctx: UserfaultfdCtx, src: Vma, dst: Vma): number {
  if ((src.flags & VM_ACCESS_FLAGS) !== (dst.flags & VM_ACCESS_FLAGS)) return -EINVAL;
  if ((src.flags & VM_LOCKED) !== (dst.flags & VM_LOCKED)) return -EINVAL;
  if (!(src.flags & VM_WRITE)) return -EINVAL;
  if (
    any(src.flags, VM_PFNMAP | VM_IO | VM_MIXEDMAP) ||
    any(dst.flags, VM_PFNMAP | VM_IO | VM_MIXEDMAP)
  ) {
    return -EINVAL;
  }
  if (dst.uffd !== ctx) return -EINVAL;
  if (!src.isAnonymous || !dst.isAnonymous) return -EINVAL;
  return 0;
}

/**
 * mm/userfaultfd.c move_pages_pte() for one page: dst must be none
 * (EEXIST); a none src is ENOENT, or skipped with ALLOW_SRC_HOLES (1); a
 * marker src is EFAULT; a page shared with another mapping or maybe
 * DMA-pinned is EBUSY. The page (or the zero page) moves: dst maps it
 * dirty and writable, src is cleared, the folio's anon_vma and index
 * follow it (folio_move_anon_rmap). Returns 0, 1 (a skipped hole) or -errno.
 */
function movePte(
  mm: Mm,
  src: Vma,
  dst: Vma,
  srcAddr: number,
  dstAddr: number,
  holes: boolean,
): number {
  const pt = mm.pt;
  const frames = mm.machine.frames;
  if (pt.bitsAt(dstAddr / 4096) !== 0) return -EEXIST;
  const bits = pt.bitsAt(srcAddr / 4096);
  if (bits === 0) return holes ? 1 : -ENOENT;
  if (!(bits & PTE_PRESENT) || (bits & PTE_MARKER)) return -EFAULT;
  const pfn = pt.pfnAt(srcAddr / 4096);
  const zero = pfn === frames.zeroPfn;
  if (!zero) {
    if (!(frames.flags[pfn] & PG_ANON_EXCLUSIVE) || frames.mapcount[pfn] !== 1) return -EBUSY;
    if (frames.maybeDmaPinned(pfn)) return -EBUSY;
  }
  moveAnonPte(mm, dst, dstAddr, srcAddr, pfn);
  void src;
  return 0;
}

/** mm/userfaultfd.c move_pages(): bytes moved, or -errno when none was. */
function movePages(
  ctx: UserfaultfdCtx,
  dst: number,
  src: number,
  len: number,
  mode: bigint,
): number {
  const mm = ctx.mm;
  // uffd_move_lock(): find_vma_and_prepare_anon() for dst, then src.
  const dstVma = mm.vmas.lookup(dst);
  if (dstVma === null) return -ENOENT;
  // A private dst gets its anon_vma at once, whatever fails next; src does not.
  if (!(dstVma.flags & VM_SHARED)) anonVmaPrepare(dstVma);
  const srcVma = mm.vmas.lookup(src);
  if (srcVma === null) return -ENOENT;
  if (src + len > srcVma.end || dst + len > dstVma.end) return -EINVAL;
  const e = validateMoveAreas(ctx, srcVma, dstVma);
  if (e) return e;
  const holes = (mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES) !== 0n;
  // Ascending order: overlapping ranges move a page more than once.
  let moved = 0;
  for (let off = 0; off < len; off += 4096) {
    const r = movePte(mm, srcVma, dstVma, src + off, dst + off, holes);
    if (r < 0) return moved > 0 ? moved : r;
    moved += 4096;
  }
  return moved;
}

/** UFFDIO_MOVE exists from 6.8 (policy uffd.remap); before, it is an unknown ioctl. */
const HAS_UFFDIO_MOVE: Record<KnobValue<"uffd.remap">, boolean> = {
  "none": false,
  "remap_anon_pages-rfc": false,
  "UFFDIO_MOVE": true,
};

/** fs/userfaultfd.c userfaultfd_move() (6.8). */
function userfaultfdMove(p: Process, ctx: UserfaultfdCtx, arg: UserArg): number {
  const b = readStruct(p, arg, UFFDIO_MOVE_LAYOUT.size);
  if (b === null) return -EFAULT;
  const v = decodeStruct(UFFDIO_MOVE_LAYOUT, b);
  const dst = field(v, "dst");
  const src = field(v, "src");
  const len = field(v, "len");
  const mode = field(v, "mode");
  // An event is in flight (mmap_changing): move=-EAGAIN.
  if (ctx.mmapChanging > 0) {
    v.set("move", BigInt(-EAGAIN));
    return putUserArg(p, arg, encodeStruct(UFFDIO_MOVE_LAYOUT, v) as Uint8Array)
      ? -EAGAIN
      : -EFAULT;
  }
  // Cross-mm moves are EINVAL.
  if (ctx.mm !== p.mm) return -EINVAL;
  let e = validateRange(dst, len);
  if (e) return e;
  e = validateRange(src, len);
  if (e) return e;
  if (mode & ~(UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES | UFFDIO_MOVE_MODE_DONTWAKE)) return -EINVAL;
  const r = movePages(ctx, Number(dst), Number(src), Number(len), mode);
  v.set("move", BigInt(r));
  if (!putUserArg(p, arg, encodeStruct(UFFDIO_MOVE_LAYOUT, v) as Uint8Array)) return -EFAULT;
  if (r < 0) return r;
  if (!(mode & UFFDIO_MOVE_MODE_DONTWAKE)) wakeRange(ctx, Number(dst), r);
  return r === Number(len) ? 0 : -EAGAIN;
}

/** fs/userfaultfd.c userfaultfd_ioctl(): everything but API needs the handshake first. */
function userfaultfdIoctl(p: Process, f: OpenFile, cmd: number, arg: UserArg): number {
  const ctx = ctxOf(f);
  if (cmd !== UFFDIO_API && !ctx.initialized) return -EINVAL;
  switch (cmd) {
    case UFFDIO_API:
      return userfaultfdApi(p, ctx, arg);
    case UFFDIO_REGISTER:
      return userfaultfdRegister(p, ctx, arg);
    case UFFDIO_UNREGISTER:
      return userfaultfdUnregister(p, ctx, arg);
    case UFFDIO_WAKE:
      return userfaultfdWake(p, ctx, arg);
    case UFFDIO_COPY:
      return userfaultfdCopy(p, ctx, arg);
    case UFFDIO_ZEROPAGE:
      return userfaultfdZeropage(p, ctx, arg);
    case UFFDIO_MOVE:
      if (!HAS_UFFDIO_MOVE[p.mm.machine.policy("uffd.remap")]) break;
      return userfaultfdMove(p, ctx, arg);
    case UFFDIO_WRITEPROTECT:
      return userfaultfdWriteprotect(p, ctx, arg);
    case UFFDIO_CONTINUE:
      return userfaultfdContinue(p, ctx, arg);
    case UFFDIO_POISON:
      return userfaultfdPoison(p, ctx, arg);
  }
  return -EINVAL; // userfaultfd_ioctl's default: -EINVAL, not ENOTTY
}

/**
 * fs/userfaultfd.c userfaultfd_read_iter() -> userfaultfd_ctx_read():
 * EINVAL before UFFDIO_API, EINVAL below one message; one message per 32 bytes; with none pending,
 * EAGAIN on an O_NONBLOCK fd, else the reader sleeps (wait channel
 * userfaultfd_ctx_read) until a fault queues one, and the read restarts.
 */
function userfaultfdRead(
  p: Process,
  f: OpenFile,
  count: number,
  _pos: number,
): Uint8Array | number {
  const ctx = ctxOf(f);
  // Before the UFFDIO_API handshake a read is EINVAL (checked on 6.18.44).
  if (!ctx.initialized) return -EINVAL;
  if (count < UFFD_MSG_SIZE) return -EINVAL;
  const queued = ctx.pending.length + ctx.events.length;
  if (queued === 0) {
    if (f.flags & O_NONBLOCK) return -EAGAIN;
    throw new WouldBlock(ctx.readWq, WCHAN_UFFD_READ, `read of uffd ${ctx.id} waits for a message`);
  }
  // Page faults first (fault_pending_wqh), then events (event_wqh); a read
  // event completes (userfaultfd_event_complete) and its sender wakes.
  const n = Math.min(queued, Math.floor(count / UFFD_MSG_SIZE));
  const out = new Uint8Array(n * UFFD_MSG_SIZE);
  let woke = false;
  for (let i = 0; i < n; i++) {
    if (ctx.pending.length > 0) {
      const msg = ctx.pending.shift()!.msg;
      out.set(msg, i * UFFD_MSG_SIZE);
      ctx.freeMsgs.push(msg);
      continue;
    }
    const ev = ctx.events.shift()!;
    ev.read = true;
    if (ev.child !== undefined) {
      // resolve_userfault_fork(): the child's uffd gets an fd in the reader.
      const fd = newCtxFile(p, ev.child);
      new DataView(ev.msg.buffer).setUint32(8, fd < 0 ? 0 : fd, true);
    }
    woke = true;
    out.set(ev.msg, i * UFFD_MSG_SIZE);
  }
  if (woke) ctx.mm.machine.sched.wakeAll(ctx.eventWq);
  return out;
}

/** userfaultfd_poll(): EPOLLERR on a blocking fd; EPOLLIN when a message waits. */
function userfaultfdPoll(f: OpenFile): number {
  const EPOLLIN = 0x1, EPOLLERR = 0x8;
  if (!ctxOf(f).initialized) return EPOLLERR;
  if (!(f.flags & O_NONBLOCK)) return EPOLLERR;
  const ctx = ctxOf(f);
  return ctx.pending.length + ctx.events.length > 0 ? EPOLLIN : 0;
}

/** userfaultfd_fops */
export const USERFAULTFD_FOPS: FileOperations = {
  name: "userfaultfd_fops",
  fopFlags: 0,
  nonseekable: true,
  read: userfaultfdRead,
  poll: userfaultfdPoll,
  ioctl: userfaultfdIoctl,
  release: (inode) => (inode.priv as UserfaultfdCtx).release(),
};

/**
 * userfaultfd(flags): SYSCALL_DEFINE1(userfaultfd) -> new_userfaultfd().
 * Order: userfaultfd_syscall_allowed() (EPERM; mmlab runs as root, which has
 * CAP_SYS_PTRACE), flags outside O_CLOEXEC|O_NONBLOCK|UFFD_USER_MODE_ONLY
 * EINVAL, then the fd (EMFILE).
 */
export function sysUserfaultfd(p: Process, flagsArg: bigint | number = 0): number {
  return newUserfaultfd(p, Number(BigInt.asUintN(32, BigInt(flagsArg))));
}

/** fs/userfaultfd.c new_userfaultfd(): the flags check, then the ctx and its fd. */
function newUserfaultfd(p: Process, flags: number): number {
  if (flags & ~(UFFD_SHARED_FCNTL_FLAGS | UFFD_USER_MODE_ONLY)) return -EINVAL;
  if (lowestFreeFd(p) >= nofileLimit(p)) return -EMFILE;
  const ctx = new UserfaultfdCtx(p.machine.nextUffdId(), p.mm, flags);
  return newCtxFile(p, ctx);
}

/** The `[userfaultfd]` file of `ctx`, installed in `p` (its fd, or -errno). */
function newCtxFile(p: Process, ctx: UserfaultfdCtx): number {
  const flags = ctx.flags;
  const id = ctx.id;
  // anon_inode_create_getfile("[userfaultfd]", &userfaultfd_fops, ctx,
  // O_RDONLY | (flags & UFFD_SHARED_FCNTL_FLAGS)): a fresh inode per ctx.
  const inode = new Inode(id, ANON_INODE_SB, "anon", "anon_inode:[userfaultfd]", 0, {
    fop: USERFAULTFD_FOPS,
    iop: {},
  });
  inode.priv = ctx;
  return installFile(p, inode, O_RDONLY | (flags & UFFD_SHARED_FCNTL_FLAGS));
}

/**
 * /dev/userfaultfd (6.1, a misc device 10:257, crw------- root): its only
 * ioctl USERFAULTFD_IOC_NEW makes a context as userfaultfd(flags) would,
 * the device's permissions standing in for vm.unprivileged_userfaultfd
 * (userfaultfd_dev_ioctl: any other request is EINVAL).
 */
export const USERFAULTFD_DEV_FOPS: FileOperations = {
  name: "userfaultfd_dev_fops",
  fopFlags: 0,
  ioctl: (p, _f, cmd, arg) =>
    cmd === USERFAULTFD_IOC_NEW ? newUserfaultfd(p, Number(BigInt.asIntN(32, arg.value))) : -EINVAL,
};
