/**
 * A random workload: a seeded stream of operations over every kind of
 * object the machine has (private and shared anonymous memory, ext4 files
 * and memfds mapped shared and private, processes made by fork, FOLL_PIN
 * pins, the program break, threads that exit and sleep on timers while
 * virtual time passes, userfaultfd contexts that register ranges, fill
 * them and close), a DAX file on pmem (truncated under pins per a
 * dax.truncateWithPin the seed picks), hardware memory errors
 * (memory_failure), each step a syscall, a CPU access or a pin as a
 * program would make it. The leader's CPU access that waits in
 * handle_userfault is answered within its step, as a handler thread would
 * (UFFDIO_ZEROPAGE of the page, or closing the uffd); another thread's
 * (`uffd-fault`) stays asleep across steps while munmap, MADV_DONTNEED,
 * mremap, fork and exit run, until a later COPY, ZEROPAGE, WAKE (which
 * makes it fault again), UNREGISTER, close or exit_group ends it, and
 * `uffd-read` reads the queued messages. Contexts are
 * UFFD_USER_MODE_ONLY, so kernel accesses (pread, GUP, populate) get
 * EFAULT rather than wait. Some contexts take UFFD_FEATURE_EVENT_UNMAP,
 * EVENT_REMOVE, EVENT_REMAP or EVENT_FORK: a call that sends an event waits
 * until it is read, and the handler reads it within the same step (a FORK
 * message gives the reader the child's uffd). The property tests run it in short bursts with
 * {@link checkInvariants} after every step; `deno task soak` runs millions
 * of steps. The same seed makes the same steps, always.
 *
 * Operations aim at a small window of pages, so that most land on memory
 * that is mapped and they meet each other: splits, merges, COW, pins
 * across fork, truncation under mappings.
 *
 * @example
 * ```ts
 * import { Workload } from "./workload.ts";
 * import { checkInvariants } from "./invariants.ts";
 * const w = new Workload({ seed: 7 });
 * for (let i = 0; i < 100; i++) w.step();
 * console.log(checkInvariants(w.machine, { merged: false }).length); // 0
 * ```
 * @module
 */

import { Machine, type MachineConfig } from "../machine.ts";
import type { Process } from "../proc/process.ts";
import { Rng } from "../util/rng.ts";
import { syscall, syscallIn } from "../syscalls.ts";
import type { Task } from "../proc/task.ts";
import {
  CLONE_FILES,
  CLONE_FS,
  CLONE_SIGHAND,
  CLONE_SYSVSEM,
  CLONE_THREAD,
  CLONE_VM,
} from "../proc/fork.ts";
import { type AccessResult, cpuRead, cpuWrite, userfaultAccess } from "../arch/cpu.ts";
import { WCHAN_UFFD_EVENT } from "../mm/userfaultfd_k.ts";
import { WCHAN_DAX_LAYOUT } from "../fs/dax_layout.ts";
import { memoryFailure } from "../mm/memory_failure.ts";
import { PTE_PRESENT } from "../mm/pagetable.ts";
import type { KnobValue } from "../policy.ts";
import {
  encodeStruct,
  UFFD_API,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_MOVE,
  UFFDIO_MOVE_LAYOUT,
  UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES,
  UFFDIO_RANGE,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_UNREGISTER,
  UFFDIO_WAKE,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
} from "../abi/ioctl.ts";
import type { StructLayout, StructValue } from "../abi/ioctl.ts";
import {
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_EVENT_REMOVE,
  UFFD_FEATURE_EVENT_UNMAP,
  UFFD_FEATURE_SIGBUS,
  UFFD_FEATURE_THREAD_ID,
  UFFD_USER_MODE_ONLY,
  UserfaultfdCtx,
} from "../fs/userfaultfd.ts";
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  getUserPages,
  type GupPage,
  pinUserPages,
  releaseUserPage,
} from "../mm/gup.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  MADV_COLD,
  MADV_DOFORK,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_KEEPONFORK,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_REMOVE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MLOCK_ONFAULT,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  MS_SYNC,
  O_CREAT,
  O_NONBLOCK,
  O_RDWR,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../abi/mman.ts";
import { DeviceMirror } from "../mm/hmm_mirror.ts";
import { ibUmemOdpGet, mrAccess, type MrAccessKind } from "../drivers/rdma/odp.ts";
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_ON_DEMAND,
  IB_ACCESS_REMOTE_READ,
  IB_ACCESS_REMOTE_WRITE,
} from "../drivers/rdma/ib_verbs.ts";
import type { Umem } from "../drivers/rdma/uverbs.ts";
import type { Mm } from "../mm/mm.ts";

/** A thread, as pthread_create's flags without the tid words and TLS. */
const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
  CLONE_SYSVSEM;

/** The window's first page. */
export const WORKLOAD_BASE = 0x7f0000000000;
/** Pages in the window. */
export const WORKLOAD_PAGES = 24;

/** Every kind of step, with its weight in the mix. */
export const WORKLOAD_OPS = {
  "mmap-anon": 4,
  "mmap-shared-anon": 2,
  "mmap-file": 3,
  munmap: 2,
  mprotect: 4,
  mremap: 2,
  madvise: 4,
  mlock: 1,
  msync: 1,
  write: 6,
  read: 3,
  fork: 1,
  exit: 1,
  switch: 1,
  brk: 1,
  pin: 2,
  unpin: 2,
  pwrite: 2,
  ftruncate: 1,
  punch: 1,
  clone: 1,
  "thread-exit": 1,
  nanosleep: 1,
  sleep: 1,
  "uffd-register": 2,
  "uffd-fill": 2,
  "uffd-close": 1,
  "uffd-fault": 2,
  "uffd-read": 1,
  "uffd-wake": 1,
  hwpoison: 1,
  "hmm-fault": 2,
  "odp-access": 1,
} as const;

/** One kind of step. */
export type WorkloadOp = keyof typeof WORKLOAD_OPS;

/**
 * The steps of a workload without blocking userfaults
 * ({@link WorkloadOptions.blocking} false): a thread's fault never outlives
 * its step, and no context takes the FORK or REMAP events.
 */
const UNBLOCKING: readonly WorkloadOp[] = ["uffd-fault", "uffd-read", "uffd-wake"];

/** The ops of a mix, and their total weight. */
function mix(blocking: boolean): { ops: WorkloadOp[]; total: number } {
  const ops = (Object.keys(WORKLOAD_OPS) as WorkloadOp[]).filter((k) =>
    blocking || !UNBLOCKING.includes(k)
  );
  return { ops, total: ops.reduce((n, k) => n + WORKLOAD_OPS[k], 0) };
}

/** An ODP MR's rights: every NIC access kind is allowed (ibv_reg_mr access flags). */
const ODP_ACCESS = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ |
  IB_ACCESS_ON_DEMAND;
const ODP_KINDS: readonly MrAccessKind[] = ["send", "recv", "rdma-read", "rdma-write"];

const PROTS = [0, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_READ | PROT_EXEC];
const ADVICE = [
  MADV_DONTNEED,
  MADV_FREE,
  MADV_WILLNEED,
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_DONTFORK,
  MADV_DOFORK,
  MADV_WIPEONFORK,
  MADV_KEEPONFORK,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_REMOVE,
];

/** How to build a workload. */
export interface WorkloadOptions {
  seed: number;
  /** The machine's configuration (default: 64 MiB; the zero page as the seed picks). */
  config?: MachineConfig;
  /** At most this many live processes (default 6). */
  maxProcs?: number;
  /**
   * Threads whose userfaults wait across steps (default true): a thread's
   * fault in a registered range stays asleep in handle_userfault while
   * later steps run (munmap, MADV_DONTNEED, mremap, fork, exit, close of
   * the uffd), until a handler's COPY, ZEROPAGE, WAKE, UNREGISTER or close
   * ends it; handlers read the messages; contexts may take EVENT_FORK and
   * EVENT_REMAP. False gives the mix of the seeds found before these
   * existed (their regression tests replay them).
   */
  blocking?: boolean;
}

/** One step taken: what it was, and whether the kernel accepted it. */
export interface WorkloadStep {
  op: WorkloadOp;
  pid: number;
  /** A C-like rendering of the call, for error messages. */
  text: string;
  ok: boolean;
}

/** A running workload over its own machine. */
export class Workload {
  readonly machine: Machine;
  readonly rng: Rng;
  /** Steps taken. */
  steps = 0;
  /** Accepted steps per kind (proof that the mix reaches real work). */
  readonly succeeded: Record<WorkloadOp, number>;
  private cur: Process;
  private readonly maxProcs: number;
  private readonly blocking: boolean;
  private readonly ops: WorkloadOp[];
  private readonly total: number;
  /** Pins held, by pid: released on unpin or when the process dies. */
  private readonly pins = new Map<number, GupPage[]>();
  /** An HMM mirror (device page table) over the window per mm ("hmm-fault"). */
  private readonly mirrors = new Map<Mm, DeviceMirror>();
  /** An ODP memory region over the window per mm ("odp-access"). */
  private readonly odpMrs = new Map<Mm, Umem>();
  /** File descriptors of the files the workload maps, per pid (the same in a fork). */
  private readonly fds: number[] = [];
  /** The userfaultfd each process made (its fd), by pid. */
  private readonly uffds = new Map<number, number>();

  constructor(opts: WorkloadOptions) {
    this.rng = new Rng(opts.seed);
    // DAX: a pmem file among the mapped ones, read-only long-term pins of it
    // allowed, and a truncate design per seed (from its own generator).
    const daxRng = new Rng(opts.seed * 31 + 7);
    const truncateWithPin = ["block", "corrupt", "redirect", "fail-etxtbsy", "notify-kill"][
      daxRng.below(5)
    ] as KnobValue<"dax.truncateWithPin">;
    this.machine = new Machine({
      ramBytes: 64 << 20,
      seed: opts.seed,
      pmemBytes: 4 << 20,
      policies: {
        "mm.zeroPage": this.rng.below(4) === 0 ? "forbid" : "map",
        "gup.longtermFsdax": "allow",
        "dax.truncateWithPin": truncateWithPin,
        "config.MEMORY_FAILURE": "y",
      },
      ...opts.config,
    });
    this.maxProcs = opts.maxProcs ?? 6;
    this.blocking = opts.blocking ?? true;
    ({ ops: this.ops, total: this.total } = mix(this.blocking));
    this.succeeded = Object.fromEntries(
      (Object.keys(WORKLOAD_OPS) as WorkloadOp[]).map((k) => [k, 0]),
    ) as Record<WorkloadOp, number>;
    this.cur = this.machine.init;
    const p = this.cur;
    syscall(p, "mmap", [
      WORKLOAD_BASE,
      WORKLOAD_PAGES * 4096,
      PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
      -1,
      0,
    ]);
    for (const name of ["/tmp/w0", "/tmp/w1"]) {
      this.fds.push(syscall(p, "open", [name, O_RDWR | O_CREAT, 0o644]).ret);
    }
    this.fds.push(syscall(p, "memfd_create", ["w2", 0]).ret);
    this.fds.push(syscall(p, "open", ["/mnt/pmem/w3", O_RDWR | O_CREAT, 0o644]).ret);
    for (const fd of this.fds) syscall(p, "ftruncate", [fd, 8 * 4096]);
  }

  /** The process the next step runs in. */
  get current(): Process {
    return this.cur;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.rng.below(xs.length)];
  }

  private page(): number {
    return this.rng.below(WORKLOAD_PAGES);
  }

  private at(page: number): number {
    return WORKLOAD_BASE + page * 4096;
  }

  private len(): number {
    return (1 + this.rng.below(6)) * 4096;
  }

  private chooseOp(): WorkloadOp {
    let r = this.rng.below(this.total);
    for (const k of this.ops) {
      r -= WORKLOAD_OPS[k];
      if (r < 0) return k;
    }
    return this.ops[0];
  }

  /** Takes one step; returns what it did. */
  step(): WorkloadStep {
    this.steps++;
    const op = this.chooseOp();
    const p = this.cur;
    const [run, ok] = this.run(op, p);
    const text = run + this.answerEvents() + this.endDaxWaits();
    if (ok) this.succeeded[op]++;
    this.forgetDead();
    return { op, pid: p.pid, text, ok };
  }

  private sys(p: Process, name: string, args: unknown[]): [string, boolean] {
    const o = syscall(p, name, args);
    const r = o.ret;
    const shown = args.map((
      a,
    ) => (typeof a === "number" && a > 0xffff ? "0x" + a.toString(16) : a));
    // A call that waits for its uffd event to be read ends within the step (answerEvents).
    const ret = o.pending !== undefined ? "? (waits in userfaultfd_event_wait_completion)" : r;
    return [`${name}(${shown.join(", ")}) = ${ret}`, r >= 0];
  }

  private run(op: WorkloadOp, p: Process): [string, boolean] {
    const rng = this.rng;
    switch (op) {
      case "mmap-anon":
      case "mmap-shared-anon": {
        const shared = op === "mmap-shared-anon";
        const flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED |
          (rng.below(8) === 0 ? MAP_POPULATE : 0);
        return this.sys(p, "mmap", [
          this.at(this.page()),
          this.len(),
          this.pick(PROTS),
          flags,
          -1,
          0,
        ]);
      }
      case "mmap-file": {
        const fd = this.pick(this.fds);
        const flags = (rng.below(2) ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
        const off = rng.below(4) * 4096;
        return this.sys(p, "mmap", [
          this.at(this.page()),
          this.len(),
          this.pick(PROTS),
          flags,
          fd,
          off,
        ]);
      }
      case "munmap":
        return this.sys(p, "munmap", [this.at(this.page()), this.len()]);
      case "mprotect":
        return this.sys(p, "mprotect", [this.at(this.page()), this.len(), this.pick(PROTS)]);
      case "mremap": {
        const old = this.len(), grow = this.len();
        if (rng.below(2)) {
          return this.sys(p, "mremap", [this.at(this.page()), old, grow, MREMAP_MAYMOVE]);
        }
        const dst = this.at(this.page());
        return this.sys(p, "mremap", [
          this.at(this.page()),
          old,
          grow,
          MREMAP_MAYMOVE | MREMAP_FIXED,
          dst,
        ]);
      }
      case "madvise":
        return this.sys(p, "madvise", [this.at(this.page()), this.len(), this.pick(ADVICE)]);
      case "mlock":
        if (rng.below(3) === 0) return this.sys(p, "munlock", [this.at(this.page()), this.len()]);
        return this.sys(p, "mlock2", [
          this.at(this.page()),
          this.len(),
          rng.below(2) ? MLOCK_ONFAULT : 0,
        ]);
      case "msync":
        return this.sys(p, "msync", [this.at(this.page()), this.len(), MS_SYNC]);
      case "write": {
        const a = this.at(this.page()) + rng.below(4096);
        const data = new Uint8Array([rng.below(256)]);
        const [r, note] = this.access(
          p,
          "poke",
          (from) => cpuWrite(p, a + from, data.subarray(from)),
        );
        return [
          `write(0x${a.toString(16)})${r.sig ? " SIG" + r.sig.signo : ""}${note}`,
          r.sig === undefined,
        ];
      }
      case "read": {
        const a = this.at(this.page());
        const len = 1 + rng.below(64);
        const [r, note] = this.access(p, "peek", (from) => cpuRead(p, a + from, len - from));
        return [
          `read(0x${a.toString(16)})${r.sig ? " SIG" + r.sig.signo : ""}${note}`,
          r.sig === undefined,
        ];
      }
      case "uffd-register": {
        let fd = this.uffds.get(p.pid);
        if (fd === undefined) {
          fd = syscall(p, "userfaultfd", [O_NONBLOCK | UFFD_USER_MODE_ONLY]).ret;
          if (fd < 0) return [`userfaultfd() = ${fd}`, false];
          const features = this.pick([
            0n,
            0n,
            UFFD_FEATURE_SIGBUS,
            UFFD_FEATURE_THREAD_ID,
            UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_EVENT_REMOVE,
            ...(this.blocking
              ? [
                UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_THREAD_ID,
                UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_UNMAP,
                UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE,
              ]
              : []),
          ]);
          const r = this.ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [
            ["api", UFFD_API],
            ["features", features],
          ]);
          if (r < 0) return [`UFFDIO_API = ${r}`, false];
          this.uffds.set(p.pid, fd);
        }
        const a = this.at(this.page()), len = this.len();
        const r = this.ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
          ["range", this.range(a, len)],
          ["mode", 1n],
        ]);
        return [`UFFDIO_REGISTER(${fd}, 0x${a.toString(16)}, ${len}) = ${r}`, r >= 0];
      }
      case "uffd-fill": {
        const fd = this.uffds.get(p.pid);
        if (fd === undefined) return ["uffd fill skipped (no uffd)", false];
        // Aim at a registered VMA when there is one, so that fills meet holes.
        const regs: number[] = [];
        for (let v = p.mm.vmas.first; v !== null; v = v.next) {
          if (v.uffd !== null) regs.push(v.start);
        }
        // ... or at the page a thread waits for (the handler's answer, later).
        const waits = this.blocking ? this.waitedPages(p, fd) : [];
        const a = waits.length > 0 && rng.below(2) === 0
          ? this.pick(waits)
          : regs.length > 0 && rng.below(4) !== 0
          ? this.pick(regs)
          : this.at(this.page());
        const len = (1 + rng.below(3)) * 4096;
        const how = rng.below(6);
        if (how === 0) {
          const r = this.ioctl(p, fd, UFFDIO_UNREGISTER, UFFDIO_RANGE, [
            ["start", BigInt(a)],
            ["len", BigInt(len)],
          ]);
          return [`UFFDIO_UNREGISTER(${fd}, 0x${a.toString(16)}, ${len}) = ${r}`, r >= 0];
        }
        if (how === 5) {
          // UFFDIO_MOVE of a mapped page of the window (or any page), one
          // page unless the holes are allowed.
          const mapped: number[] = [];
          for (let i = 0; i < WORKLOAD_PAGES; i++) {
            if (p.mm.pt.bitsAt(this.at(i) / 4096) !== 0) mapped.push(this.at(i));
          }
          const src = mapped.length > 0 && rng.below(4) !== 0
            ? this.pick(mapped)
            : this.at(this.page());
          const holes = rng.below(2) === 0;
          const n = holes ? len : 4096;
          const r = this.ioctl(p, fd, UFFDIO_MOVE, UFFDIO_MOVE_LAYOUT, [
            ["dst", BigInt(a)],
            ["src", BigInt(src)],
            ["len", BigInt(n)],
            ["mode", holes ? UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES : 0n],
          ]);
          return [
            `UFFDIO_MOVE(${fd}, 0x${a.toString(16)}, 0x${src.toString(16)}, ${n}) = ${r}`,
            r >= 0,
          ];
        }
        if (how === 1) {
          const r = this.ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
            ["range", this.range(a, len)],
            ["mode", 0n],
          ]);
          return [`UFFDIO_ZEROPAGE(${fd}, 0x${a.toString(16)}, ${len}) = ${r}`, r >= 0];
        }
        const src = this.at(this.page()) + rng.below(2) * 8;
        const r = this.ioctl(p, fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, [
          ["dst", BigInt(a)],
          ["src", BigInt(src)],
          ["len", BigInt(len)],
          ["mode", 0n],
        ]);
        return [
          `UFFDIO_COPY(${fd}, 0x${a.toString(16)}, 0x${src.toString(16)}, ${len}) = ${r}`,
          r >= 0,
        ];
      }
      case "uffd-fault": {
        // A thread (not the leader) touches a registered page and, when it
        // is missing, sleeps in handle_userfault until a later step.
        // A new thread (pthread_create) when none is free to fault.
        if (this.runningThread(p) === undefined && p.threads.length < 4) {
          syscall(p, "clone", [THREAD_FLAGS]);
        }
        const t = this.runningThread(p);
        if (t === undefined) return ["uffd fault skipped (no running thread)", false];
        const regs: number[] = [];
        for (let v = p.mm.vmas.first; v !== null; v = v.next) {
          if (v.uffd === null) continue;
          for (let a = v.start; a < v.end; a += 4096) {
            if (p.mm.pt.bitsAt(a / 4096) === 0) regs.push(a);
          }
        }
        const a = (regs.length > 0 ? this.pick(regs) : this.at(this.page())) + rng.below(4096);
        const write = rng.below(2) === 0;
        const data = new Uint8Array([1 + rng.below(255)]);
        const { result, pending } = userfaultAccess(
          t,
          write ? "poke" : "peek",
          write
            ? (from) => cpuWrite(p, a + from, data.subarray(from))
            : (from) => cpuRead(p, a + from, 1 - from),
        );
        const how = pending !== undefined ? " waits" : result.sig ? ` SIG${result.sig.signo}` : "";
        return [
          `[tid ${t.tid}] ${write ? "poke" : "peek"}(0x${a.toString(16)})${how}`,
          pending !== undefined,
        ];
      }
      case "uffd-read": {
        // The handler reads what is queued (faults, then events): read(uffd, buf, 32*n).
        const fd = this.uffds.get(p.pid);
        if (fd === undefined) return ["uffd read skipped (no uffd)", false];
        return this.sys(p, "read", [fd, "", 32 * (1 + rng.below(3))]);
      }
      case "uffd-wake": {
        const fd = this.uffds.get(p.pid);
        if (fd === undefined) return ["uffd wake skipped (no uffd)", false];
        const waits = this.waitedPages(p, fd);
        const a = waits.length > 0 && rng.below(4) !== 0 ? this.pick(waits) : this.at(this.page());
        const len = (1 + rng.below(2)) * 4096;
        const r = this.ioctl(p, fd, UFFDIO_WAKE, UFFDIO_RANGE, [
          ["start", BigInt(a)],
          ["len", BigInt(len)],
        ]);
        return [`UFFDIO_WAKE(${fd}, 0x${a.toString(16)}, ${len}) = ${r}`, r >= 0];
      }
      case "uffd-close": {
        const fd = this.uffds.get(p.pid);
        if (fd === undefined) return ["uffd close skipped (no uffd)", false];
        this.uffds.delete(p.pid);
        return this.sys(p, "close", [fd]);
      }
      case "fork": {
        const live = [...this.machine.procs.values()].filter((q) => q.alive).length;
        if (live >= this.maxProcs) return ["fork skipped", false];
        return this.sys(p, "fork", []);
      }
      case "exit": {
        if (p.pid === 1) return ["exit skipped (pid 1)", false];
        // The whole group: SYS_exit of a leader would leave its threads running.
        const r = this.sys(p, "exit_group", [0]);
        this.cur = this.machine.init;
        return r;
      }
      case "switch": {
        const live = [...this.machine.procs.values()].filter((q) => q.alive);
        this.cur = this.pick(live);
        return [`switch to ${this.cur.pid}`, true];
      }
      case "brk": {
        const want = p.mm.brk + (rng.below(19) - 6) * 2048;
        return this.sys(p, "brk", [want]);
      }
      case "pin": {
        // One pin in three goes to a page of a DAX file mapping, if the window has one.
        const dax = rng.below(3) === 0 ? this.daxPage(p) : -1;
        const a = dax >= 0 ? dax : this.at(this.page());
        const n = 1 + rng.below(3);
        const write = rng.below(2) ? FOLL_WRITE : 0;
        // Three pages: plain references (get_user_pages), as O_DIRECT took before 6.5.
        const get = n === 3;
        const r = get
          ? getUserPages(p.mm, a, n, write)
          : pinUserPages(p.mm, a, n, FOLL_LONGTERM | write);
        if (r.pages.length > 0) {
          const held = this.pins.get(p.pid) ?? [];
          held.push(...r.pages);
          this.pins.set(p.pid, held);
        }
        return [
          `${get ? "get" : "pin"}_user_pages(0x${a.toString(16)}, ${n}) = ${
            r.pages.length || r.err
          }`,
          r.pages.length > 0,
        ];
      }
      case "hmm-fault": {
        // A mirroring device faults part of the window through hmm_range_fault.
        let mir = this.mirrors.get(p.mm);
        if (mir === undefined) {
          mir = DeviceMirror.create(
            p.mm,
            WORKLOAD_BASE,
            WORKLOAD_PAGES * 4096,
            "workload",
          ) as DeviceMirror;
          this.mirrors.set(p.mm, mir);
        }
        const pg = this.page();
        const n = Math.min(1 + rng.below(3), WORKLOAD_PAGES - pg);
        const write = rng.below(2) === 1;
        const r = mir.fault(this.at(pg), n, write);
        return [
          `hmm_range_fault(0x${this.at(pg).toString(16)}, ${n}, ${write ? "w" : "r"}) = ${r.ret}`,
          r.ret === 0,
        ];
      }
      case "odp-access": {
        // The NIC touches part of an ODP MR over the window (no pin: a device
        // page fault through hmm_range_fault, dropped again by invalidations).
        let umem = this.odpMrs.get(p.mm);
        if (umem === undefined) {
          const u = ibUmemOdpGet(p, WORKLOAD_BASE, WORKLOAD_PAGES * 4096, ODP_ACCESS, undefined);
          if (typeof u === "number") return [`ib_umem_odp_get = ${u}`, false];
          umem = u;
          this.odpMrs.set(p.mm, u);
        }
        const pg = this.page();
        const n = Math.min(1 + rng.below(3), WORKLOAD_PAGES - pg);
        const kind = ODP_KINDS[rng.below(ODP_KINDS.length)];
        const r = mrAccess(umem, ODP_ACCESS, this.at(pg), n * 4096, kind);
        return [
          `mr_access(0x${this.at(pg).toString(16)}, ${n * 4096}, ${kind}) = ${r.status}`,
          r.status === "IBV_WC_SUCCESS",
        ];
      }
      case "unpin": {
        const held = this.pins.get(p.pid);
        if (!held || held.length === 0) return ["unpin: none held", false];
        const pg = held.splice(rng.below(held.length), 1)[0];
        releaseUserPage(p.mm, pg);
        return [`unpin_user_page(pfn ${pg.pfn})`, true];
      }
      case "pwrite": {
        const fd = this.pick(this.fds);
        const data = new Uint8Array(1 + rng.below(5000)).fill(1 + rng.below(255));
        return this.sys(p, "pwrite", [fd, data, data.length, rng.below(12 * 4096)]);
      }
      case "ftruncate":
        return this.sys(p, "ftruncate", [
          this.pick(this.fds),
          rng.below(12) * 4096 + rng.below(2) * 100,
        ]);
      case "punch":
        return this.sys(p, "fallocate", [
          this.pick(this.fds),
          FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
          rng.below(8) * 4096,
          this.len(),
        ]);
      case "clone": {
        if (p.threads.length >= 4) return ["clone skipped (4 threads)", false];
        return this.sys(p, "clone", [THREAD_FLAGS]);
      }
      case "thread-exit": {
        const t = this.runningThread(p);
        if (t === undefined) return ["thread exit skipped (no running thread)", false];
        const r = syscallIn(t, "exit", [rng.below(4)]).ret;
        return [`[tid ${t.tid}] exit() = ${r}`, r >= 0];
      }
      case "nanosleep": {
        const t = this.runningThread(p);
        if (t === undefined) return ["nanosleep skipped (no running thread)", false];
        const ts = new Uint8Array(16);
        new DataView(ts.buffer).setBigInt64(8, BigInt((1 + rng.below(3)) * 1_000_000), true);
        const r = syscallIn(t, "nanosleep", [{ value: 0n, literal: ts }]);
        return [`[tid ${t.tid}] nanosleep() = ${r.pending ? "?" : r.ret}`, r.ret >= 0];
      }
      case "hwpoison": {
        // An uncorrectable error in a page the process maps, or anywhere in RAM.
        const a = this.at(this.page());
        const mapped = (p.mm.pt.bitsAt(a / 4096) & PTE_PRESENT) !== 0;
        const pfn = mapped ? p.mm.pt.pfnAt(a / 4096) : rng.below(this.machine.frames.nframes);
        const r = memoryFailure(this.machine, pfn);
        return [`memory_failure(0x${pfn.toString(16)}) = ${r.type ?? r.ret}`, r.ret === 0];
      }
      case "sleep": {
        // The user waits: virtual time passes, timers fire, woken threads return.
        const ns = rng.below(4) * 1_000_000;
        this.machine.sched.advanceTo(this.machine.clock.ns + ns);
        return [`sleep ${ns}ns`, true];
      }
    }
  }

  private range(start: number, len: number): StructValue {
    return new Map([["start", BigInt(start)], ["len", BigInt(len)]]);
  }

  /** ioctl(fd, cmd, {literal}): the result. */
  private ioctl(
    p: Process,
    fd: number,
    cmd: number,
    layout: StructLayout,
    v: [string, bigint | StructValue][],
  ): number {
    const bytes = encodeStruct(layout, new Map(v)) as Uint8Array;
    return syscall(p, "ioctl", [fd, cmd, { value: 0n, literal: bytes }]).ret;
  }

  /**
   * A CPU access by p's leader (or a running thread), through
   * userfaultAccess. When it waits in handle_userfault the handler answers
   * at once: UFFDIO_ZEROPAGE of the page, or (one time in four) close of
   * the uffd in the process holding it, until the access is done.
   */
  private access(
    p: Process,
    name: string,
    step: (from: number) => AccessResult,
  ): [AccessResult, string] {
    const t = p.threads[0].state === "running" ? p.threads[0] : this.runningThread(p);
    if (t === undefined) return [{ done: 0 }, " skipped (no running thread)"];
    const { result, pending } = userfaultAccess(t, name, step);
    if (pending === undefined) return [result, ""];
    let note = " waited";
    for (let i = 0; t.userfault !== null && i < 64; i++) {
      const uf = t.userfault;
      const holder = this.uffdHolder(uf.ctx.id);
      if (holder === null) throw new Error(`uffd ${uf.ctx.id}: no process holds it`);
      const [q, fd] = holder;
      if (this.rng.below(4) === 0) {
        if (this.uffds.get(q.pid) === fd) this.uffds.delete(q.pid);
        syscall(q, "close", [fd]);
        note += ", closed";
      } else {
        const page = uf.address - (uf.address % 4096);
        this.ioctl(q, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
          ["range", this.range(page, 4096)],
          ["mode", 0n],
        ]);
        note += ", zeropage";
      }
    }
    if (t.userfault !== null || t.blocked !== null) {
      throw new Error(`tid ${t.tid}: still waiting in handle_userfault`);
    }
    return [result, note];
  }

  /**
   * A call that sent a non-cooperative event (UNMAP, REMOVE) waits in
   * userfaultfd_event_wait_completion: the handler reads the events in the
   * same step (the context's read, as a handler thread's), and the senders
   * finish their calls.
   */
  private answerEvents(): string {
    let note = "";
    for (const q of this.machine.procs.values()) {
      if (!q.alive) continue;
      for (const f of q.fds) {
        const c = f?.inode.priv;
        if (!(c instanceof UserfaultfdCtx) || c.events.length === 0) continue;
        // Page faults come first (userfaultfd_ctx_read): read past them to the events.
        const r = f!.fop.read!(q, f!, 32 * (c.pending.length + c.events.length), 0);
        note += `, uffd ${c.id} read ${typeof r === "number" ? r : r.length}`;
      }
    }
    if (note !== "") this.machine.sched.run();
    for (const t of this.machine.tasks.values()) {
      if (t.wchan === WCHAN_UFFD_EVENT) {
        throw new Error(`tid ${t.tid}: still waits for a uffd event`);
      }
    }
    return note;
  }

  /**
   * A truncate or punch of the DAX file waits for pinned pages
   * (dax.truncateWithPin block, notify-kill): the devices finish within the
   * step and every pin on a pmem page is given back, so the call ends.
   */
  private endDaxWaits(): string {
    const m = this.machine;
    const waiting = [...m.tasks.values()].filter((t) => t.wchan === WCHAN_DAX_LAYOUT);
    if (waiting.length === 0) return "";
    for (const [pid, held] of this.pins) {
      const q = m.process(pid);
      if (q === undefined) continue;
      for (const pg of held.filter((g) => m.frames.isPmem(g.pfn))) {
        releaseUserPage(q.mm, pg);
        held.splice(held.indexOf(pg), 1);
      }
    }
    m.sched.tick();
    for (const t of m.tasks.values()) {
      if (t.wchan === WCHAN_DAX_LAYOUT) throw new Error(`tid ${t.tid}: still waits for DAX pages`);
    }
    return ", dax pins released";
  }

  /** A window address mapping a DAX file in p, or -1. */
  private daxPage(p: Process): number {
    for (let v = p.mm.vmas.find(WORKLOAD_BASE); v !== null; v = v.next) {
      if (v.start >= this.at(WORKLOAD_PAGES)) break;
      if (v.file?.inode.dax) return Math.max(v.start, WORKLOAD_BASE);
    }
    return -1;
  }

  /** The pages threads wait for on the context behind p's `fd`. */
  private waitedPages(p: Process, fd: number): number[] {
    const c = p.fds[fd]?.inode.priv;
    if (!(c instanceof UserfaultfdCtx)) return [];
    return c.faultWq.waiters.map((t) => {
      const a = t.userfault?.address ?? 0;
      return a - (a % 4096);
    });
  }

  /** A live process and fd holding the userfaultfd context `id`. */
  private uffdHolder(id: number): [Process, number] | null {
    for (const q of this.machine.procs.values()) {
      if (!q.alive) continue;
      for (let fd = 0; fd < q.fds.length; fd++) {
        const priv = q.fds[fd]?.inode.priv;
        if (priv instanceof UserfaultfdCtx && priv.id === id) return [q, fd];
      }
    }
    return null;
  }

  /** A running thread of p other than its leader, if any. */
  private runningThread(p: Process): Task | undefined {
    const ts = p.threads.filter((t) => !t.leader && t.state === "running");
    return ts.length === 0 ? undefined : this.pick(ts);
  }

  /**
   * A dead process's pins are released as a driver's release would
   * (ib_umem_release on close at exit): the pages stay pinned until then.
   */
  private forgetDead(): void {
    for (const [pid, held] of this.pins) {
      const p = this.machine.process(pid);
      if (p !== undefined && p.alive) continue;
      for (const pg of held) releaseUserPage(p!.mm, pg);
      this.pins.delete(pid);
    }
    for (const pid of [...this.uffds.keys()]) {
      if (!this.machine.process(pid)?.alive) this.uffds.delete(pid);
    }
    if (!this.cur.alive) this.cur = this.machine.init;
  }

  /** Ends every process but init and releases every pin; then init's own mappings go too. */
  finish(): void {
    for (const [pid, held] of this.pins) {
      const p = this.machine.process(pid)!;
      for (const pg of held) releaseUserPage(p.mm, pg);
    }
    this.pins.clear();
    for (const p of [...this.machine.procs.values()].reverse()) {
      if (p.alive) syscall(p, "exit_group", [0]);
    }
  }
}

/** What a soak run found. */
export interface SoakResult {
  steps: number;
  workloads: number;
  /** The first violation: where, and the steps that led to it. */
  violation?: { seed: number; step: number; errors: string[]; trail: string[] };
}

/** How to run a soak. */
export interface SoakOptions {
  /** The first workload's seed; each next workload takes the next seed. */
  seed: number;
  /** Steps in all. */
  steps: number;
  /** Steps per workload before a fresh machine (default 5,000). */
  perWorkload?: number;
  /** Check the invariants every this many steps (default 50), and at each workload's end. */
  checkEvery?: number;
  /** Called after each workload. */
  progress?: (r: SoakResult) => void;
  /** The invariant checker (lib/check/invariants.ts checkInvariants with merged: false). */
  check: (m: Machine) => string[];
}

/**
 * Runs workloads back to back until `steps` steps, checking the invariants
 * as it goes; stops at the first violation.
 */
export function soak(opts: SoakOptions): SoakResult {
  const per = opts.perWorkload ?? 5000;
  const every = opts.checkEvery ?? 50;
  const r: SoakResult = { steps: 0, workloads: 0 };
  for (let seed = opts.seed; r.steps < opts.steps; seed++) {
    const w = new Workload({ seed });
    r.workloads++;
    const trail: string[] = [];
    const n = Math.min(per, opts.steps - r.steps);
    for (let i = 0; i < n; i++) {
      const s = w.step();
      r.steps++;
      trail.push(`[${s.pid}] ${s.text}`);
      if (trail.length > every + 8) trail.splice(0, trail.length - every - 8);
      const last = i === n - 1;
      if (last) w.finish();
      if ((i + 1) % every !== 0 && !last) continue;
      const errors = opts.check(w.machine);
      if (errors.length > 0) {
        r.violation = { seed, step: i, errors, trail };
        return r;
      }
    }
    opts.progress?.(r);
  }
  return r;
}
