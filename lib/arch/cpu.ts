/**
 * CPU loads, stores and instruction fetches by a process. Each access
 * walks the page table through mm's {@link translate}; a fault that mm
 * cannot resolve becomes a signal here, as arch/x86/mm/fault.c
 * bad_area() -> force_sig_fault() does. A page the allocator cannot find
 * runs the OOM killer first (mm/page_alloc.c __alloc_pages_may_oom ->
 * mm/oom_kill.c out_of_memory): when it kills another process, the fault
 * is retried with the memory that process freed; when it kills this one,
 * the access ends there. This layer sits above mm and proc.
 * @module
 */

import { SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, type SigInfo, SIGSEGV } from "../abi/signal.ts";
import { BIG_TASK_SIZE, TASK_SIZE } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import { deliverFaultSignal, oomKill } from "../proc/exit.ts";
import { accessError, isCanonical, SIG_USERFAULT_WAIT, translate } from "../mm/access.ts";
import type { Task } from "../proc/task.ts";
import { WCHAN_USERFAULT } from "../mm/userfaultfd_k.ts";

export { WCHAN_USERFAULT };

/** The outcome of a CPU access. */
export interface AccessResult {
  /** Bytes read (for loads), as far as the access got. */
  bytes?: Uint8Array;
  /** Bytes done before a fault stopped the access. */
  done: number;
  /** The signal, when the access faulted. */
  sig?: SigInfo;
  /** The process died (default disposition, or the OOM killer). */
  killed?: boolean;
  /**
   * The access stopped at a fault that handle_userfault() queued: the
   * thread waits (Task.userfault) and the access goes on from `done` once
   * woken (see {@link userfaultAccess}).
   */
  waits?: boolean;
}

/** Signals for an address outside the user range (checked as u64). */
function badAddress(addr: bigint): SigInfo | null {
  if (!isCanonical(addr)) return { signo: SIGSEGV, code: SI_KERNEL, addr: 0 };
  if (addr >= BigInt(TASK_SIZE)) {
    return { signo: SIGSEGV, code: SEGV_MAPERR, addr: Number(BigInt.asIntN(64, addr)) };
  }
  return null;
}

/**
 * The address as a number when it is a user address (below TASK_SIZE, so
 * canonical and never signalled by {@link badAddress}), else -1.
 */
function userAddress(addr: bigint | number): number {
  if (typeof addr === "number") return addr >= 0 && addr < TASK_SIZE && addr % 1 === 0 ? addr : -1;
  return addr >= 0n && addr < BIG_TASK_SIZE ? Number(addr) : -1;
}

function finish(p: Process, res: AccessResult): AccessResult {
  if (res.sig === undefined) return res;
  if (res.sig.signo === SIG_USERFAULT_WAIT) {
    // A new result rather than `delete res.sig` (which slows the object down).
    return res.bytes !== undefined
      ? { bytes: res.bytes, done: res.done, waits: true }
      : { done: res.done, waits: true };
  }
  if (res.sig.signo === 9) {
    // The OOM killer chose this process (or found nothing else to kill).
    if (p.alive) oomKill(p);
    res.killed = true;
    return res;
  }
  res.killed = deliverFaultSignal(p, res.sig);
  return res;
}

/**
 * A load of `len` bytes at `addr` (a byte-by-byte copy: it stops at the
 * first page that faults; si_addr is the first byte of that page, or
 * `addr` itself for the first page).
 */
export function cpuRead(p: Process, addrArg: bigint | number, len: number): AccessResult {
  const out = new Uint8Array(len);
  let addr = userAddress(addrArg);
  if (addr < 0) {
    const addrB = BigInt.asUintN(64, BigInt(addrArg));
    const bad = badAddress(addrB);
    if (bad) return finish(p, { bytes: out.subarray(0, 0), done: 0, sig: bad });
    addr = Number(addrB);
  }
  const frames = p.machine.frames;
  let done = 0;
  while (done < len) {
    const a = addr + done;
    if (a >= TASK_SIZE) {
      return finish(p, {
        bytes: out.subarray(0, done),
        done,
        sig: { signo: SIGSEGV, code: SEGV_MAPERR, addr: a },
      });
    }
    const pfn = translateOrOom(p, a, "read");
    if (typeof pfn !== "number") return finish(p, { bytes: out.subarray(0, done), done, sig: pfn });
    const off = a % 4096;
    const n = Math.min(len - done, 4096 - off);
    // A pfn past RAM may be a device's registers (a BAR): the load goes to
    // its register model, not to bytes.
    const io = pfn >= frames.nframes ? p.machine.iomem.mmioAt(pfn * 4096 + off) : null;
    if (io !== null) out.set(io.ops.read(io.off, n), done);
    else {
      const b = frames.peekBytes(pfn);
      if (b !== undefined) out.set(b.subarray(off, off + n), done);
    }
    done += n;
  }
  return { bytes: out, done };
}

/**
 * translate(), with the OOM killer between a fault that found no memory
 * and its retry: while the victim is another process, the fault is tried
 * again; a VM_FAULT_OOM signal comes back only when this process was
 * chosen (it is dead then) or nothing could be killed.
 */
function translateOrOom(
  p: Process,
  a: number,
  kind: "read" | "write" | "exec",
): number | SigInfo {
  for (;;) {
    // FAULT_FLAG_USER: this fault comes from user mode (handle_userfault
    // tells it from a kernel access).
    p.mm.faultFlagUser = true;
    let r: number | SigInfo;
    try {
      r = translate(p, p.mm, a, kind);
    } finally {
      p.mm.faultFlagUser = false;
    }
    if (typeof r === "number" || r.signo !== 9 || !p.alive) return r;
    const victim = p.machine.outOfMemory();
    if (victim === null || victim === p || !p.alive) return r;
  }
}

/** A store of `data` at `addr`, page by page, stopping at the first fault. */
export function cpuWrite(p: Process, addrArg: bigint | number, data: Uint8Array): AccessResult {
  return store(p, addrArg, data.length, (pfn, off, from, n) => {
    for (let i = 0; i < n; i++) p.machine.frames.writeByte(pfn, off + i, data[from + i]);
  }, (from, n) => data.subarray(from, from + n));
}

/** memset(addr, value, len): stores, stopping at the first fault. */
export function cpuFill(
  p: Process,
  addrArg: bigint | number,
  value: number,
  len: number,
): AccessResult {
  const v = value & 0xff;
  return store(
    p,
    addrArg,
    len,
    (pfn, off, _from, n) => p.machine.frames.fill(pfn, off, n, v),
    (_from, n) => new Uint8Array(n).fill(v),
  );
}

function store(
  p: Process,
  addrArg: bigint | number,
  len: number,
  put: (pfn: number, off: number, from: number, n: number) => void,
  bytes: (from: number, n: number) => Uint8Array,
): AccessResult {
  let addr = userAddress(addrArg);
  if (addr < 0) {
    const addrB = BigInt.asUintN(64, BigInt(addrArg));
    const bad = badAddress(addrB);
    if (bad) return finish(p, { done: 0, sig: bad });
    addr = Number(addrB);
  }
  let done = 0;
  while (done < len) {
    const a = addr + done;
    if (a >= TASK_SIZE) {
      return finish(p, { done, sig: { signo: SIGSEGV, code: SEGV_MAPERR, addr: a } });
    }
    const pfn = translateOrOom(p, a, "write");
    if (typeof pfn !== "number") return finish(p, { done, sig: pfn });
    const off = a % 4096;
    const n = Math.min(len - done, 4096 - off);
    // A store to a device's registers (a BAR) goes to its register model.
    const io = pfn >= p.machine.frames.nframes ? p.machine.iomem.mmioAt(pfn * 4096 + off) : null;
    if (io !== null) io.ops.write(io.off, bytes(done, n));
    else put(pfn, off, done, n);
    done += n;
  }
  return { done };
}

/** An instruction fetch at `addr` (exec access; si_addr = the instruction address). */
export function cpuExec(p: Process, addrArg: bigint | number): AccessResult {
  const addrB = BigInt.asUintN(64, BigInt(addrArg));
  const bad = badAddress(addrB);
  if (bad) return finish(p, { done: 0, sig: bad });
  const r = translateOrOom(p, Number(addrB), "exec");
  if (typeof r !== "number") return finish(p, { done: 0, sig: r });
  // The PTE may be present from a read fault; NX is enforced through the VMA.
  const vma = p.mm.vmas.lookup(Number(addrB));
  if (vma === null || accessError(vma, "exec")) {
    return finish(p, { done: 0, sig: { signo: SIGSEGV, code: SEGV_ACCERR, addr: Number(addrB) } });
  }
  return { done: 1 };
}

/** What {@link userfaultAccess} returns: the access, or the token of its wait. */
export interface UserfaultAccessResult {
  /** The access as far as it got (all of it unless `pending`). */
  result: AccessResult;
  /** The thread waits in handle_userfault: the REPL's `<unfinished ...>` token. */
  pending?: number;
}

/**
 * A CPU access by thread `t` that may wait on a userfault: `step(from)`
 * makes the access from byte `from` on (a load, store or fill). When it
 * stops at a fault handle_userfault() queued, the thread sleeps on the
 * context's queue (wait channel `handle_userfault`, TASK_INTERRUPTIBLE as
 * userfaultfd_get_blocking_state() gives for a user fault); once woken
 * (UFFDIO_COPY/ZEROPAGE/WAKE, UNREGISTER, the context's release) the
 * access retries from the faulting byte and may wait again under the same
 * token. The call's resume result is the byte count, with the bytes of a
 * load as `data`.
 */
export function userfaultAccess(
  t: Task,
  name: string,
  step: (from: number) => AccessResult,
): UserfaultAccessResult {
  const p = t.group;
  const m = p.machine;
  const first = m.runIn(t, () => step(0));
  if (!first.waits) return { result: first };
  const parts: Uint8Array[] = first.bytes !== undefined ? [first.bytes] : [];
  let done = first.done;
  let token: number | undefined;
  const wait = (): void => {
    const uf = t.userfault!;
    token = m.sched.sleep(t, uf.wq, WCHAN_USERFAULT, "S", {
      name,
      finish: () => {
        t.userfault = null;
        const r = m.runIn(t, () => step(done));
        if (r.bytes !== undefined) parts.push(r.bytes);
        done += r.done;
        if (r.waits) {
          wait();
          return null;
        }
        const data = parts.length > 0 ? concat(parts) : undefined;
        return data === undefined ? { ret: done } : { ret: done, data };
      },
      cancel: () => {
        t.userfault?.drop();
        t.userfault = null;
      },
    }, token);
  };
  wait();
  return { result: first, pending: token };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
