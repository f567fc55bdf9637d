/** eventfd2 (lib/fs/eventfd.ts): the counter, its errnos, and a blocked read woken by a signal. */
import assert from "node:assert/strict";
import {
  EFD_NONBLOCK,
  EFD_SEMAPHORE,
  eventfdCtx,
  eventfdSignal,
  Machine,
  syscall,
} from "../../mod.ts";
import { EAGAIN, EINVAL } from "../../lib/abi/errno.ts";

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const val = (b: Uint8Array | undefined) =>
  new DataView(b!.buffer, b!.byteOffset).getBigUint64(0, true);

Deno.test("eventfd2: flags, short reads and writes, ULLONG_MAX, EAGAIN when empty", () => {
  const m = new Machine();
  const p = m.init;
  assert.equal(syscall(p, "eventfd2", [0, 0x10]).ret, -EINVAL);
  const fd = syscall(p, "eventfd2", [3, EFD_NONBLOCK]).ret;
  assert.equal(syscall(p, "read", [fd, new Uint8Array(4), 4]).ret, -EINVAL);
  assert.equal(syscall(p, "write", [fd, u64(2n), 4]).ret, -EINVAL);
  assert.equal(syscall(p, "write", [fd, u64(0xffffffffffffffffn), 8]).ret, -EINVAL);
  assert.equal(syscall(p, "write", [fd, u64(2n), 8]).ret, 8);
  const r = syscall(p, "read", [fd, new Uint8Array(8), 8]);
  assert.deepEqual([r.ret, val(r.data)], [8, 5n]);
  assert.equal(syscall(p, "read", [fd, new Uint8Array(8), 8]).ret, -EAGAIN);
  assert.match(p.fds[fd]!.inode.path, /anon_inode:\[eventfd\]/);
});

Deno.test("eventfd: EFD_SEMAPHORE reads one at a time; a blocked read finishes on eventfd_signal", () => {
  const m = new Machine();
  const p = m.init;
  const sem = syscall(p, "eventfd2", [2, EFD_SEMAPHORE]).ret;
  assert.equal(val(syscall(p, "read", [sem, new Uint8Array(8), 8]).data), 1n);
  assert.equal(eventfdCtx(p.fds[sem]!)!.count, 1n);
  const fd = syscall(p, "eventfd2", [0, 0]).ret;
  const r = syscall(p, "read", [fd, new Uint8Array(8), 8]);
  assert.ok(r.pending !== undefined, "the reader sleeps");
  const ctx = eventfdCtx(p.fds[fd]!)!;
  eventfdSignal(p, ctx);
  assert.equal(ctx.signals, 1);
  m.sched.advanceTo(m.clock.ns + 1000);
  const done = m.events.since(0).events.find((e) => e.kind === "resume");
  assert.ok(done !== undefined);
  assert.equal(ctx.count, 0n, "the woken read took the count");
});
