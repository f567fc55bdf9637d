/**
 * userfaultfd's non-cooperative events (fs/userfaultfd.c): UFFD_EVENT_UNMAP
 * (userfaultfd_unmap_prep/_complete) and UFFD_EVENT_REMOVE
 * (userfaultfd_remove). The thread that caused one waits in
 * userfaultfd_event_wait_completion until the handler reads it; meanwhile
 * (mmap_changing) COPY/ZEROPAGE/MOVE are EAGAIN with the out field -EAGAIN.
 */
import assert from "node:assert/strict";
import { EAGAIN } from "../../lib/abi/errno.ts";
import {
  decodeStruct,
  encodeStruct,
  type StructLayout,
  type StructValue,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_MOVE,
  UFFDIO_MOVE_LAYOUT,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
  O_NONBLOCK,
} from "../../lib/abi/mman.ts";
import { vmFlagsText } from "../../lib/mm/vm_flags.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import {
  UFFD_API_FEATURES,
  UFFD_EVENT_FORK,
  UFFD_EVENT_REMAP,
  UFFD_EVENT_REMOVE,
  UFFD_EVENT_UNMAP,
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_EVENT_REMAP,
  UFFD_FEATURE_EVENT_REMOVE,
  UFFD_FEATURE_EVENT_UNMAP,
} from "../../lib/fs/userfaultfd.ts";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  type Machine,
  type MachineEvent,
  type Process,
  syscall,
  syscallIn,
  type Task,
} from "../../mod.ts";
import { B, machine, map, PRIVATE, RW, sys } from "./helpers.ts";

const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;

function ioctl(p: Process, fd: number, cmd: number, layout: StructLayout, v: [string, unknown][]) {
  const bytes = encodeStruct(layout, new Map(v) as StructValue) as Uint8Array;
  const r = sysIoctl(p, fd, cmd, { value: 0n, literal: bytes });
  return { ret: r.ret, out: decodeStruct(layout, r.data!) };
}

function range(start: number, len: number): StructValue {
  return new Map([["start", BigInt(start)], ["len", BigInt(len)]]);
}

/** A uffd with `features`, 4 pages at B registered MISSING, and a second thread. */
function setup(features: bigint) {
  const { m, p } = machine();
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  const a = ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], ["features", features]]);
  assert.equal(a.ret, 0);
  map(p, B, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const r = ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
    ["range", range(B, 0x4000)],
    ["mode", 1n],
  ]);
  assert.equal(r.ret, 0);
  const t = m.task(syscall(p, "clone", [THREAD]).ret)!;
  return { m, p, fd, t };
}

function resumes(m: Machine, from: number): string[] {
  return m.events.since(from).events.filter((e): e is Extract<MachineEvent, { kind: "resume" }> =>
    e.kind === "resume"
  ).map((e) => `${e.tid}:${e.call}=${e.ret === null ? "?" : e.ret}`);
}

/** read(uffd) into a literal buffer: the decoded messages, or -errno. */
function read(p: Process, fd: number, n = 4): [number, bigint, bigint][] | number {
  const r = syscall(p, "read", [fd, { value: 0n, literal: new Uint8Array(32 * n) }, 32 * n]);
  if (r.ret < 0) return r.ret;
  const d = r.data!;
  const dv = new DataView(d.buffer, d.byteOffset);
  const out: [number, bigint, bigint][] = [];
  for (let i = 0; i < r.ret; i += 32) {
    out.push([d[i], dv.getBigUint64(i + 8, true), dv.getBigUint64(i + 16, true)]);
  }
  return out;
}

function waiting(t: Task): string | null {
  return t.wchan;
}

Deno.test("UFFDIO_API reports EVENT_REMOVE and EVENT_UNMAP", () => {
  assert.equal(UFFD_API_FEATURES & UFFD_FEATURE_EVENT_REMOVE, 1n << 3n);
  assert.equal(UFFD_API_FEATURES & UFFD_FEATURE_EVENT_UNMAP, 1n << 6n);
});

Deno.test("EVENT_UNMAP: munmap waits until the handler reads {start, end}; COPY is EAGAIN meanwhile", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_UNMAP);
  const from = m.events.end;
  const r = syscallIn(t, "munmap", [BigInt(B + 0x1000), BigInt(0x2000)]);
  assert.ok(r.pending !== undefined, "munmap waits for its event to be read");
  assert.equal(waiting(t), "userfaultfd_event_wait_completion");
  // The range is gone already (the event comes after the unmap).
  assert.equal(p.mm.vmas.find(B + 0x1000)?.start, B + 0x3000);
  const c = ioctl(p, fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, [
    ["dst", BigInt(B)],
    ["src", BigInt(B + 0x3000)],
    ["len", 0x1000n],
    ["mode", 0n],
  ]);
  assert.equal(c.ret, -EAGAIN);
  assert.equal(c.out.get("copy"), BigInt(-EAGAIN));
  const z = ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(z.ret, -EAGAIN);
  assert.equal(z.out.get("zeropage"), BigInt(-EAGAIN));
  const mv = ioctl(p, fd, UFFDIO_MOVE, UFFDIO_MOVE_LAYOUT, [
    ["dst", BigInt(B)],
    ["src", BigInt(B + 0x3000)],
    ["len", 0x1000n],
    ["mode", 0n],
  ]);
  assert.equal(mv.ret, -EAGAIN);
  assert.equal(mv.out.get("move"), BigInt(-EAGAIN));
  assert.deepEqual(resumes(m, from), []);
  assert.deepEqual(read(p, fd), [[UFFD_EVENT_UNMAP, BigInt(B + 0x1000), BigInt(B + 0x3000)]]);
  assert.deepEqual(resumes(m, from), [`${t.tid}:munmap=0`]);
  assert.equal(waiting(t), null);
  // mmap_changing is back to 0: ZEROPAGE works again.
  const z2 = ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(z2.ret, 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("EVENT_UNMAP: none without the feature, none for an unregistered range", () => {
  const { p, fd, t } = setup(0n);
  assert.deepEqual(syscallIn(t, "munmap", [BigInt(B), 0x1000n]), { ret: 0 });
  assert.equal(read(p, fd), -EAGAIN);
  const s = setup(UFFD_FEATURE_EVENT_UNMAP);
  map(s.p, B + 0x8000, 0x1000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.deepEqual(syscallIn(s.t, "munmap", [BigInt(B + 0x8000), 0x1000n]), { ret: 0 });
  assert.equal(read(s.p, s.fd), -EAGAIN);
});

Deno.test("EVENT_REMOVE: MADV_DONTNEED sends {start, end} of the registered VMA and waits", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP);
  const from = m.events.end;
  const r = syscallIn(t, "madvise", [BigInt(B + 0x1000), 0x1000n, MADV_DONTNEED]);
  assert.ok(r.pending !== undefined);
  assert.equal(waiting(t), "userfaultfd_event_wait_completion");
  // Read one message at a time: 32 bytes.
  assert.deepEqual(read(p, fd, 1), [[UFFD_EVENT_REMOVE, BigInt(B + 0x1000), BigInt(B + 0x2000)]]);
  assert.deepEqual(resumes(m, from), [`${t.tid}:madvise=0`]);
  assert.equal(read(p, fd), -EAGAIN);
});

Deno.test("events: close(uffd) lets the sender of an unread event go on", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_UNMAP);
  const from = m.events.end;
  assert.ok(syscallIn(t, "munmap", [BigInt(B), 0x1000n]).pending !== undefined);
  assert.equal(sys(p, "close", fd), 0);
  assert.deepEqual(resumes(m, from), [`${t.tid}:munmap=0`]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("check: an unread event whose sender does not wait for it is reported", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_UNMAP);
  assert.ok(syscallIn(t, "munmap", [BigInt(B), 0x1000n]).pending !== undefined);
  assert.deepEqual(checkInvariants(m), []);
  const ctx = p.fds[fd]!.inode.priv as { id: number; mmapChanging: number };
  ctx.mmapChanging = 0;
  assert.deepEqual(checkInvariants(m), [`uffd ${ctx.id}: mmap_changing 0 < 1 unread events`]);
  ctx.mmapChanging = 1;
  m.sched.wake(t); // woken without its event read
  assert.ok(
    checkInvariants(m).some((e) => /an event of tid \d+, which does not wait for it/.test(e)),
  );
});

/** uffd_msg.arg.remap.len (the third u64) of a REMAP read into a literal buffer. */
function readRemapLen(p: Process, fd: number): bigint {
  const r = syscall(p, "read", [fd, { value: 0n, literal: new Uint8Array(32) }, 32]);
  assert.equal(r.ret, 32);
  assert.equal(r.data![0], UFFD_EVENT_REMAP);
  return new DataView(r.data!.buffer, r.data!.byteOffset).getBigUint64(24, true);
}

Deno.test("EVENT_REMAP: a move keeps the range registered; REMAP {from, to, len}, then UNMAP", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_UNMAP);
  const to = B + 0x20000;
  const from = m.events.end;
  const r = syscallIn(t, "mremap", [
    BigInt(B + 0x1000),
    0x2000n,
    0x2000n,
    MREMAP_MAYMOVE | MREMAP_FIXED,
    BigInt(to),
  ]);
  assert.ok(r.pending !== undefined);
  const moved = p.mm.vmas.find(to)!;
  assert.equal(moved.start, to);
  assert.match(vmFlagsText(moved.flags), /\bum\b/, "the moved VMA keeps um");
  assert.equal(moved.uffd, p.mm.vmas.find(B)!.uffd);
  // The REMAP comes first: read it alone; the sender still waits for the UNMAP.
  const msgs = read(p, fd, 1) as [number, bigint, bigint][];
  assert.deepEqual(msgs, [[UFFD_EVENT_REMAP, BigInt(B + 0x1000), BigInt(to)]]);
  assert.deepEqual(resumes(m, from), []);
  assert.deepEqual(read(p, fd), [[UFFD_EVENT_UNMAP, BigInt(B + 0x1000), BigInt(B + 0x3000)]]);
  assert.deepEqual(resumes(m, from), [`${t.tid}:mremap=${to}`]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("EVENT_REMAP: arg.remap.len is the old length; without the feature the move drops um", () => {
  const { p, fd, t } = setup(UFFD_FEATURE_EVENT_REMAP);
  const to = B + 0x20000;
  syscallIn(t, "mremap", [BigInt(B), 0x1000n, 0x1000n, MREMAP_MAYMOVE | MREMAP_FIXED, BigInt(to)]);
  assert.equal(readRemapLen(p, fd), 0x1000n);
  const s = setup(0n);
  const r = syscallIn(s.t, "mremap", [
    BigInt(B),
    0x1000n,
    0x1000n,
    MREMAP_MAYMOVE | MREMAP_FIXED,
    BigInt(to),
  ]);
  assert.deepEqual(r, { ret: to });
  assert.equal(s.p.mm.vmas.find(to)!.uffd, null);
  assert.doesNotMatch(vmFlagsText(s.p.mm.vmas.find(to)!.flags), /\bum\b/);
  assert.equal(read(s.p, s.fd), -EAGAIN);
});

Deno.test("EVENT_FORK: the child keeps um on a new uffd, whose fd the reader gets in the message", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_FORK);
  const from = m.events.end;
  const r = syscallIn(t, "fork", []);
  assert.ok(r.pending !== undefined, "fork waits for its FORK event to be read");
  const child = [...m.procs.values()].find((q) => q !== p && q.alive)!;
  const cv = child.mm.vmas.find(B)!;
  assert.match(vmFlagsText(cv.flags), /\bum\b/);
  assert.notEqual(cv.uffd, null);
  assert.notEqual(cv.uffd, p.mm.vmas.find(B)!.uffd, "a new context, not the parent's");
  const msgs = read(p, fd) as [number, bigint, bigint][];
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0][0], UFFD_EVENT_FORK);
  const ufd = Number(msgs[0][1] & 0xffffffffn);
  assert.equal(ufd, 4, "the lowest free fd of the reader");
  assert.equal(p.fds[ufd]!.inode.priv, cv.uffd);
  assert.deepEqual(resumes(m, from), [`${t.tid}:fork=${child.pid}`]);
  // The child's uffd works: a COPY into the child's range, through the new fd.
  const c = ioctl(p, ufd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(c.ret, 0);
  assert.equal(child.mm.pt.pfnAt(B / 4096), m.frames.zeroPfn);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("EVENT_FORK: the last close of the uffd before the event is read unregisters the child", () => {
  const { m, p, fd, t } = setup(UFFD_FEATURE_EVENT_FORK);
  assert.ok(syscallIn(t, "fork", []).pending !== undefined);
  const child = [...m.procs.values()].find((q) => q !== p && q.alive)!;
  // The child inherited the fd: the context goes when both have closed it.
  assert.equal(sys(p, "close", fd), 0);
  assert.ok(child.mm.vmas.find(B)!.uffd !== null);
  assert.equal(sys(child, "close", fd), 0);
  const cv = child.mm.vmas.find(B)!;
  assert.ok(cv.uffd === null);
  assert.doesNotMatch(vmFlagsText(cv.flags), /\bum\b/);
  assert.deepEqual(checkInvariants(m), []);
});
