/**
 * userfaultfd's MODE_WP and MODE_MINOR, UFFDIO_WRITEPROTECT, UFFDIO_CONTINUE
 * and UFFDIO_POISON at the lib level: what the host corpus
 * (tests/conformance/uffd_*.mm) cannot show — the PTE bits themselves,
 * EVENT_FORK keeping the bits, mmap_changing, eras without MOVE, and the
 * invariant checker catching a writable uffd-wp PTE.
 */
import assert from "node:assert/strict";
import { EAGAIN, ENOENT } from "../../lib/abi/errno.ts";
import {
  decodeStruct,
  encodeStruct,
  type StructLayout,
  type StructValue,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_CONTINUE,
  UFFDIO_CONTINUE_LAYOUT,
  UFFDIO_POISON,
  UFFDIO_POISON_LAYOUT,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_WRITEPROTECT,
  UFFDIO_WRITEPROTECT_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import { MAP_ANONYMOUS, O_NONBLOCK } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import {
  UFFD_API_FEATURES,
  UFFD_FEATURE_EVENT_FORK,
  UFFD_FEATURE_MOVE,
  UFFD_FEATURE_WP_ASYNC,
  UFFD_FEATURE_WP_UNPOPULATED,
  UFFD_PAGEFAULT_FLAG_MINOR,
  UFFD_PAGEFAULT_FLAG_WP,
  UFFD_PAGEFAULT_FLAG_WRITE,
  type UserfaultfdCtx,
} from "../../lib/fs/userfaultfd.ts";
import { MARKER_UFFD_WP, PTE_MARKER, PTE_UFFD_WP, PTE_WRITE } from "../../lib/mm/pagetable.ts";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  cpuRead,
  cpuWrite,
  Machine,
  type Process,
  syscall,
  syscallIn,
  type Task,
  userfaultAccess,
} from "../../mod.ts";
import { B, machine, map, PRIVATE, RW, SHARED, sys } from "./helpers.ts";

const MODE_MISSING = 1n, MODE_WP = 2n, MODE_MINOR = 4n;
const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;

/** A second thread of `p`. */
function thread(p: Process): Task {
  return p.machine.task(syscall(p, "clone", [THREAD]).ret)!;
}

/** A CPU access in thread `t`: true when it waits for the handler. */
function waits(t: Task, access: (p: Process) => { done: number }): boolean {
  return userfaultAccess(t, "poke", () => access(t.group) as never).pending !== undefined;
}

function ioctl(
  p: Process,
  fd: number,
  cmd: number,
  layout: StructLayout,
  v: [string, bigint | StructValue][],
): { ret: number; out: StructValue } {
  const bytes = encodeStruct(layout, new Map(v)) as Uint8Array;
  const r = sysIoctl(p, fd, cmd, { value: 0n, literal: bytes });
  return { ret: r.ret, out: decodeStruct(layout, r.data ?? bytes) };
}

function range(start: number, len: number): StructValue {
  return new Map([["start", BigInt(start)], ["len", BigInt(len)]]);
}

function uffd(p: Process, features = 0n): number {
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  const r = ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], ["features", features]]);
  assert.equal(r.ret, 0);
  return fd;
}

function register(p: Process, fd: number, start: number, len: number, mode: bigint): number {
  return ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
    ["range", range(start, len)],
    ["mode", mode],
  ]).ret;
}

function writeprotect(p: Process, fd: number, start: number, len: number, mode: bigint): number {
  return ioctl(p, fd, UFFDIO_WRITEPROTECT, UFFDIO_WRITEPROTECT_LAYOUT, [
    ["range", range(start, len)],
    ["mode", mode],
  ]).ret;
}

/** The PTE bits at `addr`. */
function bits(p: Process, addr: number): number {
  return p.mm.pt.bitsAt(addr / 4096);
}

/** The pending messages as [event, flags, address]. */
function messages(p: Process, fd: number): [number, bigint, bigint][] {
  const r = syscall(p, "read", [fd, { value: 0n, literal: new Uint8Array(128) }, 128]);
  if (r.ret < 0) return [];
  const d = r.data!;
  const dv = new DataView(d.buffer, d.byteOffset);
  const out: [number, bigint, bigint][] = [];
  for (let i = 0; i < r.ret; i += 32) {
    out.push([d[i], dv.getBigUint64(i + 8, true), dv.getBigUint64(i + 16, true)]);
  }
  return out;
}

Deno.test("UFFDIO_API: 0x1ffff on 6.18; an era without UFFDIO_MOVE lacks UFFD_FEATURE_MOVE", () => {
  assert.equal(UFFD_API_FEATURES, 0x1ffffn);
  const m = new Machine({ policies: { "uffd.remap": "none" } });
  const p = m.init;
  const fd = sys(p, "userfaultfd", 0);
  const r = ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], ["features", 0n]]);
  assert.equal(r.ret, 0);
  assert.equal(r.out.get("features"), 0x1ffffn & ~UFFD_FEATURE_MOVE);
});

Deno.test("WRITEPROTECT: the uffd-wp bit write-protects; a store queues WRITE|WP; clearing restores write", () => {
  const { p } = machine();
  const fd = uffd(p);
  map(p, B, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.equal(register(p, fd, B, 0x4000, MODE_WP), 0);
  assert.equal(writeprotect(p, fd, B, 0x4000, 1n), 0);
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_UFFD_WP);
  // Not populated, no WP_UNPOPULATED: no marker.
  assert.equal(bits(p, B + 0x1000), 0);
  assert.deepEqual(checkInvariants(p.machine), []);
  // A thread's store waits in handle_userfault with a WRITE|WP message.
  const t = thread(p);
  assert.ok(waits(t, (q) => cpuWrite(q, B + 5, new Uint8Array([2]))));
  assert.equal(t.wchan, "handle_userfault");
  const flags = BigInt(UFFD_PAGEFAULT_FLAG_WRITE | UFFD_PAGEFAULT_FLAG_WP);
  assert.deepEqual(messages(p, fd), [[0x12, flags, BigInt(B)]]);
  assert.deepEqual(checkInvariants(p.machine), []);
  assert.equal(writeprotect(p, fd, B, 0x1000, 0n), 0);
  assert.equal(t.wchan, null);
  p.machine.sched.run(); // the woken store finishes
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_WRITE); // exclusive anon: writable
  assert.equal(cpuRead(p, B + 5, 1).bytes?.[0], 2);
  assert.deepEqual(checkInvariants(p.machine), []);
});

Deno.test("uffd-wp: mprotect keeps it read-only; close(uffd) resets the PTEs", () => {
  const { p } = machine();
  const fd = uffd(p);
  map(p, B, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.equal(register(p, fd, B, 0x2000, MODE_WP), 0);
  assert.equal(writeprotect(p, fd, B, 0x2000, 1n), 0);
  assert.equal(sys(p, "mprotect", B, 0x2000, 1), 0);
  assert.equal(sys(p, "mprotect", B, 0x2000, RW), 0);
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_UFFD_WP);
  assert.equal(sys(p, "close", fd), 0);
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_WRITE);
  assert.equal(cpuWrite(p, B, new Uint8Array([2])).sig, undefined);
});

Deno.test("uffd-wp across fork: EVENT_FORK keeps the bits in the child, without it they go", () => {
  for (const features of [0n, UFFD_FEATURE_EVENT_FORK]) {
    const { p } = machine();
    const fd = uffd(p, features);
    map(p, B, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
    cpuWrite(p, B, new Uint8Array([1]));
    assert.equal(register(p, fd, B, 0x2000, MODE_WP), 0);
    assert.equal(writeprotect(p, fd, B, 0x2000, 1n), 0);
    const t = thread(p);
    const r = syscallIn(t, "fork", []);
    // With EVENT_FORK the forker waits until the FORK event is read.
    assert.equal(r.pending !== undefined, features !== 0n);
    if (features !== 0n) assert.equal(messages(p, fd)[0][0], 0x13);
    const child = [...p.machine.procs.values()].at(-1)!;
    assert.notEqual(child, p);
    const kept = features !== 0n;
    assert.equal((bits(child, B) & PTE_UFFD_WP) !== 0, kept);
    assert.equal((bits(p, B) & PTE_UFFD_WP) !== 0, true);
  }
});

Deno.test("WP_UNPOPULATED: markers in none PTEs; a read maps the zero page still protected", () => {
  const { p } = machine();
  const fd = uffd(p, UFFD_FEATURE_WP_UNPOPULATED);
  map(p, B, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B, 0x2000, MODE_WP), 0);
  assert.equal(writeprotect(p, fd, B, 0x2000, 1n), 0);
  assert.equal(bits(p, B), PTE_MARKER | PTE_UFFD_WP);
  assert.equal(p.mm.pt.pfnAt(B / 4096), MARKER_UFFD_WP);
  assert.equal(cpuRead(p, B, 1).sig, undefined);
  assert.equal(p.mm.pt.pfnAt(B / 4096), p.machine.frames.zeroPfn);
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_UFFD_WP);
  assert.deepEqual(checkInvariants(p.machine), []);
  // Resolving drops the remaining marker.
  assert.equal(writeprotect(p, fd, B, 0x2000, 0n), 0);
  assert.equal(bits(p, B + 0x1000), 0);
});

Deno.test("WP_ASYNC: a store to a protected page goes on, no message; the bit goes", () => {
  const { p } = machine();
  const fd = uffd(p, UFFD_FEATURE_WP_ASYNC);
  map(p, B, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B, 0x2000, MODE_WP), 0);
  assert.equal(writeprotect(p, fd, B, 0x2000, 1n), 0);
  // WP_ASYNC implies WP_UNPOPULATED: markers.
  assert.equal(bits(p, B), PTE_MARKER | PTE_UFFD_WP);
  assert.equal(cpuWrite(p, B + 1, new Uint8Array([7])).sig, undefined);
  assert.equal(bits(p, B) & (PTE_UFFD_WP | PTE_WRITE), PTE_WRITE);
  assert.deepEqual(messages(p, fd), []);
});

Deno.test("MINOR: a cached shmem page queues a MINOR message; CONTINUE maps it; mmap_changing", () => {
  const { p } = machine();
  const fd = uffd(p);
  const mfd = sys(p, "memfd_create", "m", 0);
  assert.equal(sys(p, "ftruncate", mfd, 0x2000), 0);
  const w = map(p, B + 0x10000, 0x2000, RW, SHARED, mfd);
  assert.equal(w, B + 0x10000);
  cpuWrite(p, B + 0x10000, new Uint8Array([0x61])); // in the page cache now
  map(p, B, 0x2000, RW, SHARED, mfd);
  assert.equal(register(p, fd, B, 0x2000, MODE_MINOR | MODE_MISSING), 0);
  const t = thread(p);
  assert.ok(waits(t, (q) => cpuRead(q, B + 3, 1)));
  assert.deepEqual(messages(p, fd), [[0x12, BigInt(UFFD_PAGEFAULT_FLAG_MINOR), BigInt(B)]]);
  // An event in flight (ctx->mmap_changing): CONTINUE and POISON put -EAGAIN
  // in their out field, WRITEPROTECT is EAGAIN before reading its struct.
  const ctx = p.fds[fd]!.inode.priv as UserfaultfdCtx;
  ctx.mmapChanging = 1;
  const c = ioctl(p, fd, UFFDIO_CONTINUE, UFFDIO_CONTINUE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(c.ret, -EAGAIN);
  assert.equal(c.out.get("mapped"), BigInt(-EAGAIN));
  const po = ioctl(p, fd, UFFDIO_POISON, UFFDIO_POISON_LAYOUT, [
    ["range", range(B + 0x1000, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(po.ret, -EAGAIN);
  assert.equal(po.out.get("updated"), BigInt(-EAGAIN));
  assert.equal(writeprotect(p, fd, B, 0x1000, 1n), -EAGAIN);
  ctx.mmapChanging = 0;
  const ok = ioctl(p, fd, UFFDIO_CONTINUE, UFFDIO_CONTINUE_LAYOUT, [
    ["range", range(B, 0x2000)],
    ["mode", 0n],
  ]);
  // The second page is not cached: EFAULT after the first, so EAGAIN.
  assert.equal(ok.ret, -EAGAIN);
  assert.equal(ok.out.get("mapped"), 0x1000n);
  assert.equal(t.wchan, null); // CONTINUE woke it
  p.machine.sched.run();
  assert.equal(cpuRead(p, B, 1).bytes?.[0], 0x61);
  // A page the cache lacks is a MISSING fault, not a MINOR one.
  assert.ok(waits(t, (q) => cpuRead(q, B + 0x1000, 1)));
  assert.deepEqual(messages(p, fd), [[0x12, 0n, BigInt(B + 0x1000)]]);
  assert.equal(
    ioctl(p, fd, UFFDIO_POISON, UFFDIO_POISON_LAYOUT, [
      ["range", range(B + 0x2000, 0x1000)],
      ["mode", 0n],
    ]).ret,
    -ENOENT, // past the VMA
  );
});

Deno.test("check: a writable uffd-wp PTE in a MODE_WP VMA is reported", () => {
  const { p } = machine();
  const fd = uffd(p);
  map(p, B, 0x1000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.equal(register(p, fd, B, 0x1000, MODE_WP), 0);
  assert.equal(writeprotect(p, fd, B, 0x1000, 1n), 0);
  assert.deepEqual(checkInvariants(p.machine), []);
  p.mm.pt.modify(B / 4096, bits(p, B) | PTE_WRITE);
  const errs = checkInvariants(p.machine);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /uffd-wp but writable/);
});
