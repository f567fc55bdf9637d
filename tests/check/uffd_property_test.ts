/**
 * Random sequences of threads and userfaults (fast-check, shrinking to the
 * shortest failing sequence): worker threads fault on a registered range
 * and sleep in handle_userfault across later steps; a handler thread reads
 * the messages and answers with UFFDIO_COPY, ZEROPAGE, WAKE, MOVE or
 * UNREGISTER, or closes the uffd with waiters; meanwhile workers clone,
 * exit, fork (the child's context arrives with UFFD_EVENT_FORK), munmap,
 * mremap and MADV_DONTNEED the registered range (UNMAP, REMAP and REMOVE
 * events that their senders wait on). Every invariant holds after every
 * step (lib/check/invariants.ts), and the same sequence twice gives the
 * same event log.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  cpuRead,
  cpuWrite,
  Machine,
  type Process,
  syscallIn,
  type Task,
  userfaultAccess,
} from "../../mod.ts";
import {
  encodeStruct,
  type StructLayout,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_MOVE,
  UFFDIO_MOVE_LAYOUT,
  UFFDIO_RANGE,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_UNREGISTER,
  UFFDIO_WAKE,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import {
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_EVENT_REMOVE,
  UFFD_FEATURE_EVENT_UNMAP,
  UFFD_FEATURE_THREAD_ID,
  UserfaultfdCtx,
} from "../../lib/fs/userfaultfd.ts";
import { WCHAN_USERFAULT } from "../../lib/mm/userfaultfd_k.ts";

const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;
/** The registered range: PAGES pages at BASE. */
const BASE = 0x7f0000000000;
const PAGES = 8;
/** Source pages for COPY and MOVE (never registered). */
const SRC = 0x7f0000100000;
const O_NONBLOCK = 0o4000;
const MAP_ANON_FIXED = 0x32; // MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED
const MADV_DONTNEED = 4;
const MREMAP_MAYMOVE_FIXED = 3;

const FEATURES = [
  0n,
  UFFD_FEATURE_THREAD_ID,
  UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE |
  UFFD_FEATURE_EVENT_UNMAP,
  UFFD_FEATURE_EVENT_FORK,
];

type Op =
  | { k: "clone" }
  | { k: "exit"; i: number }
  | { k: "fault"; i: number; page: number; write: boolean }
  | { k: "read" }
  | { k: "copy" | "zero" | "wake" | "move"; page: number; u: number }
  | { k: "unregister" | "register" | "dontneed" | "munmap" | "mmap"; page: number; n: number }
  | { k: "mremap"; page: number; n: number; to: number }
  | { k: "close"; u: number }
  | { k: "reopen" }
  | { k: "fork"; i: number }
  | { k: "child"; i: number; page: number; exit: boolean };

const page = fc.nat({ max: PAGES - 1 });
const n = fc.integer({ min: 1, max: 3 });
const i = fc.nat({ max: 7 });
const u = fc.nat({ max: 3 });
const rec = <K extends string, T>(k: K, r: T) => fc.record({ k: fc.constant(k), ...r } as any);
const op = fc.oneof(
  { arbitrary: rec("clone", {}), weight: 2 },
  { arbitrary: rec("exit", { i }), weight: 1 },
  { arbitrary: rec("fault", { i, page, write: fc.boolean() }), weight: 5 },
  { arbitrary: rec("read", {}), weight: 3 },
  { arbitrary: rec("copy", { page, u }), weight: 3 },
  { arbitrary: rec("zero", { page, u }), weight: 2 },
  { arbitrary: rec("wake", { page, u }), weight: 2 },
  { arbitrary: rec("move", { page, u }), weight: 1 },
  { arbitrary: rec("unregister", { page, n }), weight: 1 },
  { arbitrary: rec("register", { page, n }), weight: 1 },
  { arbitrary: rec("dontneed", { page, n }), weight: 1 },
  { arbitrary: rec("munmap", { page, n }), weight: 1 },
  { arbitrary: rec("mmap", { page, n }), weight: 1 },
  { arbitrary: rec("mremap", { page, n, to: page }), weight: 1 },
  { arbitrary: rec("close", { u }), weight: 1 },
  { arbitrary: rec("reopen", {}), weight: 1 },
  { arbitrary: rec("fork", { i }), weight: 1 },
  { arbitrary: rec("child", { i, page, exit: fc.boolean() }), weight: 2 },
) as fc.Arbitrary<Op>;

const seen: Record<string, number> = {};
const note = (k: string) => (seen[k] = (seen[k] ?? 0) + 1);

/** The world: a machine, its handler thread, and the uffd features of this run. */
class World {
  readonly m = new Machine({ ramBytes: 32 << 20 });
  readonly p: Process = this.m.init;
  readonly handler: Task;

  constructor(readonly features: bigint) {
    const p = this.p;
    const lead = p.leader;
    assert.equal(syscallIn(lead, "mmap", [BASE, PAGES * 4096, 3, MAP_ANON_FIXED, -1, 0]).ret, BASE);
    assert.equal(syscallIn(lead, "mmap", [SRC, 16 * 4096, 3, MAP_ANON_FIXED, -1, 0]).ret, SRC);
    assert.equal(cpuWrite(p, SRC, new Uint8Array(16 * 4096).fill(0x5a)).done, 16 * 4096);
    this.handler = this.m.task(syscallIn(lead, "clone", [THREAD]).ret)!;
    this.reopen();
  }

  /** The handler's ioctl with a struct literal. */
  ioctl(fd: number, cmd: number, layout: StructLayout, v: [string, unknown][]): number {
    const bytes = encodeStruct(layout, new Map(v as [string, bigint][])) as Uint8Array;
    return syscallIn(this.handler, "ioctl", [fd, cmd, { value: 0n, literal: bytes }]).ret;
  }

  range(a: number, len: number) {
    return new Map([["start", BigInt(a)], ["len", BigInt(len)]]);
  }

  /** A new uffd (API with this run's features) registering the whole range. */
  reopen(): void {
    const fd = syscallIn(this.handler, "userfaultfd", [O_NONBLOCK]).ret;
    if (fd < 0) return;
    this.ioctl(fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], ["features", this.features]]);
    this.register(fd, 0, PAGES);
  }

  register(fd: number, page: number, n: number): number {
    return this.ioctl(fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
      ["range", this.range(BASE + page * 4096, n * 4096)],
      ["mode", 1n],
    ]);
  }

  /** The uffd fds the handler's process holds (FORK events add the children's). */
  uffds(): number[] {
    const out: number[] = [];
    this.p.fds.forEach((f, fd) => {
      if (f?.inode.priv instanceof UserfaultfdCtx) out.push(fd);
    });
    return out;
  }

  /** Worker threads of p that run (not the handler). */
  workers(q: Process = this.p): Task[] {
    return q.threads.filter((t) => t !== this.handler && t.state === "running");
  }

  step(o: Op): void {
    const m = this.m, p = this.p, h = this.handler;
    if (!p.alive || h.state !== "running") return;
    const pick = <T>(xs: T[], k: number) => xs.length === 0 ? undefined : xs[k % xs.length];
    const fds = this.uffds();
    const fd = "u" in o ? pick(fds, o.u) : pick(fds, 0);
    const t = pick(this.workers(), "i" in o ? o.i : 0);
    const at = "page" in o ? BASE + o.page * 4096 : BASE;
    switch (o.k) {
      case "clone":
        if (p.threads.length < 6 && syscallIn(h, "clone", [THREAD]).ret > 0) note("clone");
        break;
      case "exit":
        if (t) syscallIn(t, "exit", [0]), note("exit");
        break;
      case "fault": {
        if (!t) break;
        const a = at + 8 * o.i;
        const r = userfaultAccess(
          t,
          o.write ? "poke" : "peek",
          o.write
            ? (from) => cpuWrite(p, a + from, new Uint8Array([o.i + 1]).subarray(from))
            : (from) => cpuRead(p, a + from, 1 - from),
        );
        note(r.pending !== undefined ? "blocked" : "fault");
        break;
      }
      case "read":
        // The handler reads everything queued: faults first, then events.
        for (const f of fds) {
          const c = p.fds[f]!.inode.priv as UserfaultfdCtx;
          const len = 32 * (c.pending.length + c.events.length);
          if (len > 0 && syscallIn(h, "read", [f, "", len]).ret > 0) note("read");
        }
        break;
      case "copy":
      case "zero":
      case "wake":
      case "move": {
        if (fd === undefined) break;
        // Aim at a page a thread waits for when there is one.
        const c = p.fds[fd]!.inode.priv as UserfaultfdCtx;
        const w = pick(c.faultWq.waiters, o.page);
        const dst = w?.userfault ? w.userfault.address - (w.userfault.address % 4096) : at;
        const src = SRC + (o.page + 8 * o.u) % 16 * 4096;
        let r: number;
        if (o.k === "copy") {
          r = this.ioctl(fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, [
            ["dst", BigInt(dst)],
            ["src", BigInt(src)],
            ["len", 4096n],
            ["mode", 0n],
          ]);
        } else if (o.k === "zero") {
          r = this.ioctl(fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
            ["range", this.range(dst, 4096)],
            ["mode", 0n],
          ]);
        } else if (o.k === "wake") {
          r = this.ioctl(fd, UFFDIO_WAKE, UFFDIO_RANGE, [["start", BigInt(dst)], ["len", 4096n]]);
        } else {
          r = this.ioctl(fd, UFFDIO_MOVE, UFFDIO_MOVE_LAYOUT, [
            ["dst", BigInt(dst)],
            ["src", BigInt(src)],
            ["len", 4096n],
            ["mode", 1n << 1n], // UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES
          ]);
        }
        if (r >= 0) note(o.k);
        break;
      }
      case "unregister":
        if (fd === undefined) break;
        if (
          this.ioctl(fd, UFFDIO_UNREGISTER, UFFDIO_RANGE, [
            ["start", BigInt(at)],
            ["len", BigInt(o.n * 4096)],
          ]) === 0
        ) note("unregister");
        break;
      case "register":
        if (fd !== undefined && this.register(fd, o.page, o.n) === 0) note("register");
        break;
      case "dontneed":
      case "munmap":
      case "mmap":
      case "mremap": {
        if (!t) break;
        const len = o.n * 4096;
        const r = o.k === "dontneed"
          ? syscallIn(t, "madvise", [at, len, MADV_DONTNEED])
          : o.k === "munmap"
          ? syscallIn(t, "munmap", [at, len])
          : o.k === "mmap"
          ? syscallIn(t, "mmap", [at, len, 3, MAP_ANON_FIXED, -1, 0])
          : syscallIn(t, "mremap", [
            at,
            len,
            len,
            MREMAP_MAYMOVE_FIXED,
            BASE + (o as { to: number }).to * 4096,
          ]);
        note(r.pending !== undefined ? `${o.k}-event` : o.k);
        break;
      }
      case "close":
        if (fd !== undefined) {
          const waiters = (p.fds[fd]!.inode.priv as UserfaultfdCtx).faultWq.waiters.length;
          syscallIn(h, "close", [fd]);
          note(waiters > 0 ? "close-waiters" : "close");
        }
        break;
      case "reopen":
        if (fds.length < 4) this.reopen(), note("reopen");
        break;
      case "fork": {
        if (!t || m.procs.size >= 4) break;
        const r = syscallIn(t, "fork", []);
        note(r.pending !== undefined ? "fork-event" : "fork");
        break;
      }
      case "child": {
        const kids = [...m.procs.values()].filter((q) => q.alive && q !== p);
        const q = pick(kids, o.i);
        const ct = q && pick(q.threads.filter((x) => x.state === "running"), 0);
        if (!q || !ct) break;
        if (o.exit) {
          syscallIn(ct, "exit_group", [0]);
          note("child-exit");
          break;
        }
        const r = userfaultAccess(ct, "peek", (from) => cpuRead(q, at + from, 1 - from));
        note(r.pending !== undefined ? "child-blocked" : "child-fault");
        break;
      }
    }
  }

  /** Every process ends (the waiters with it); then nothing may be left asleep. */
  end(): void {
    for (const q of [...this.m.procs.values()].reverse()) {
      const t = q.alive ? q.threads.find((x) => x.state === "running") : undefined;
      if (t !== undefined) syscallIn(t, "exit_group", [0]);
    }
  }
}

/**
 * VMAs that could merge may stay apart: an mremap without EVENT_REMAP
 * resets the uffd context of the VMA the copy merged into, neighbours
 * included, and leaves the pieces unmerged (as 6.18.44 does).
 */
const LOOSE = { merged: false };

function play(features: bigint, ops: Op[], check: boolean): string[] {
  const w = new World(features);
  ops.forEach((o, k) => {
    w.step(o);
    if (check) {
      assert.deepEqual(checkInvariants(w.m, LOOSE), [], `step ${k}: ${JSON.stringify(o)}`);
    }
  });
  w.end();
  if (check) {
    assert.deepEqual(checkInvariants(w.m, LOOSE), [], "after every exit_group");
    for (const t of w.m.tasks.values()) assert.notEqual(t.wchan, WCHAN_USERFAULT);
  }
  return w.m.events.since(0).events.map((e) => JSON.stringify(e));
}

Deno.test("uffd + threads: invariants after every step; the same operations give the same interleaving", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...FEATURES),
      fc.array(op, { minLength: 1, maxLength: 40 }),
      (features, ops) => {
        const a = play(features, ops, true);
        assert.deepEqual(play(features, ops, false), a);
      },
    ),
    { numRuns: 200, seed: 31 },
  );
  for (
    const k of [
      "blocked",
      "read",
      "copy",
      "zero",
      "wake",
      "move",
      "unregister",
      "close-waiters",
      "fork-event",
      "child-blocked",
      "munmap-event",
      "dontneed-event",
      "mremap-event",
    ]
  ) {
    assert.ok((seen[k] ?? 0) > 0, `no ${k}: ${JSON.stringify(seen)}`);
  }
});
