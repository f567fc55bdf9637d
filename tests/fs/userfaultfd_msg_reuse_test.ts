/**
 * A context reuses the buffers of page-fault messages that were read or
 * dropped (no allocation per fault): each message still carries only its
 * own fault (flags, address, ptid), never a field of the one before.
 */
import assert from "node:assert/strict";
import {
  encodeStruct,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import { MAP_ANONYMOUS, O_NONBLOCK } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { UFFD_FEATURE_THREAD_ID } from "../../lib/fs/userfaultfd.ts";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  type Process,
  PTHREAD_CLONE_FLAGS,
  syscall,
  syscallIn,
  type Task,
  userfaultAccess,
} from "../../mod.ts";
import { B, machine, map, PRIVATE, RW, sys } from "./helpers.ts";

function ioctl(p: Process, fd: number, cmd: number, layout: typeof UFFDIO_API_LAYOUT, v: object) {
  const bytes = encodeStruct(layout, new Map(Object.entries(v))) as Uint8Array;
  return sysIoctl(p, fd, cmd, { value: 0n, literal: bytes }).ret;
}

/** The same ioctl as a syscall of thread `t` (the woken thread then runs). */
function ioctlIn(t: Task, fd: number, cmd: number, layout: typeof UFFDIO_API_LAYOUT, v: object) {
  const bytes = encodeStruct(layout, new Map(Object.entries(v))) as Uint8Array;
  return syscallIn(t, "ioctl", [fd, cmd, { value: 0n, literal: bytes }]).ret;
}

/** The uffd_msg fields: event, flags, address, ptid. */
function msg(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, 32);
  return [b[0], dv.getBigUint64(8, true), dv.getBigUint64(16, true), dv.getUint32(24, true)];
}

Deno.test("userfaultfd: a reused message buffer carries only its own fault", () => {
  const { m, p } = machine();
  map(p, B, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  const api = { api: 0xaan, features: UFFD_FEATURE_THREAD_ID };
  assert.equal(ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, api), 0);
  const range = new Map([["start", BigInt(B)], ["len", 0x4000n]]);
  assert.equal(ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, { range, mode: 1n }), 0);
  const tid = syscall(p, "clone", [PTHREAD_CLONE_FLAGS]).ret;
  const t = m.task(tid)!;
  const zero = (by: Task, a: number) =>
    ioctlIn(by, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, {
      range: new Map([["start", BigInt(a)], ["len", 0x1000n]]),
      mode: 0n,
    });
  // A store by the thread: WRITE flag, its tid; read, then resolved.
  const w = userfaultAccess(t, "poke", (f) => cpuWrite(p, B + 0x1008 + f, new Uint8Array([1])));
  assert.notEqual(w.pending, undefined);
  const first = syscallIn(p.leader, "read", [fd, "", 32]);
  assert.deepEqual(msg(first.data!), [0x12, 1n, BigInt(B + 0x1000), tid]);
  assert.equal(zero(p.leader, B + 0x1000), 0);
  assert.equal(t.blocked, null);
  // A load by the leader: no WRITE flag, the leader's tid, in the same buffer as before.
  const r = userfaultAccess(p.leader, "peek", (f) => cpuRead(p, B + 0x2010 + f, 1 - f));
  assert.notEqual(r.pending, undefined);
  const second = syscallIn(t, "read", [fd, "", 32]);
  assert.deepEqual(msg(second.data!), [0x12, 0n, BigInt(B + 0x2000), p.pid]);
  // The first read's bytes are the caller's: the reuse did not change them.
  assert.deepEqual(msg(first.data!), [0x12, 1n, BigInt(B + 0x1000), tid]);
  assert.equal(zero(t, B + 0x2000), 0);
  assert.equal(p.leader.blocked, null);
  assert.deepEqual(checkInvariants(m), []);
});
