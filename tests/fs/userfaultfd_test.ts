/**
 * userfaultfd(2) and its ioctls at the lib level (fs/userfaultfd.c,
 * mm/userfaultfd.c): the errno rows in the kernel's check order, the VMA
 * split/merge of REGISTER and release, COPY/ZEROPAGE partial progress, the
 * SIGBUS feature and UFFD_USER_MODE_ONLY for kernel accesses.
 */
import assert from "node:assert/strict";
import { EAGAIN, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, ENOENT } from "../../lib/abi/errno.ts";
import {
  decodeStruct,
  encodeStruct,
  type StructValue,
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
  USERFAULTFD_IOC_NEW,
} from "../../lib/abi/ioctl.ts";
import type { StructLayout } from "../../lib/abi/ioctl.ts";
import { MAP_ANONYMOUS, O_CLOEXEC, O_NONBLOCK, O_RDONLY } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { UFFD_FEATURE_SIGBUS, UFFD_USER_MODE_ONLY } from "../../lib/fs/userfaultfd.ts";
import { vmFlagsText } from "../../lib/mm/vm_flags.ts";
import { checkInvariants, cpuRead, cpuWrite, type Process, syscall } from "../../mod.ts";
import { B, BUS_ADRERR, machine, map, open, PRIVATE, RW, SHARED, SIGBUS, sys } from "./helpers.ts";

function ioctl(
  p: Process,
  fd: number,
  cmd: number,
  layout: StructLayout,
  v: [string, bigint | StructValue][],
): { ret: number; out: StructValue } {
  const bytes = encodeStruct(layout, new Map(v)) as Uint8Array;
  const r = sysIoctl(p, fd, cmd, { value: 0n, literal: bytes });
  return { ret: r.ret, out: decodeStruct(layout, r.data!) };
}

function range(start: number, len: number): StructValue {
  return new Map([["start", BigInt(start)], ["len", BigInt(len)]]);
}

function api(p: Process, fd: number, features = 0n) {
  return ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], ["features", features]]);
}

function register(p: Process, fd: number, start: number, len: number, mode = 1n): number {
  return ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
    ["range", range(start, len)],
    ["mode", mode],
  ]).ret;
}

function copy(p: Process, fd: number, dst: number, src: number, len: number, mode = 0n) {
  return ioctl(p, fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, [
    ["dst", BigInt(dst)],
    ["src", BigInt(src)],
    ["len", BigInt(len)],
    ["mode", mode],
  ]);
}

/** A uffd after UFFDIO_API with `features`, and 4 anonymous pages at B, registered. */
function setup(features = 0n, flags = O_NONBLOCK) {
  const { m, p } = machine();
  const fd = sys(p, "userfaultfd", flags);
  assert.equal(fd, 3);
  assert.equal(api(p, fd, features).ret, 0);
  map(p, B, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B, 0x4000), 0);
  return { m, p, fd };
}

function flagsAt(p: Process, addr: number): string {
  return vmFlagsText(p.mm.vmas.find(addr)!.flags);
}

Deno.test("userfaultfd: flags outside O_CLOEXEC|O_NONBLOCK|UFFD_USER_MODE_ONLY are EINVAL", () => {
  const { p } = machine();
  assert.equal(sys(p, "userfaultfd", O_RDONLY | 2), -EINVAL);
  assert.equal(sys(p, "userfaultfd", 0o100), -EINVAL);
  const fd = sys(p, "userfaultfd", O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  assert.equal(fd, 3);
  assert.ok(p.closeOnExec.has(fd));
  assert.equal(p.fds[fd]!.flags, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  assert.equal(sys(p, "userfaultfd", 0), 4);
});

Deno.test("UFFDIO_API: every other ioctl is EINVAL before it; api != 0xaa zeroes the struct", () => {
  const { p } = machine();
  const fd = sys(p, "userfaultfd", 0);
  map(p, B, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B, 0x4000), -EINVAL);
  const bad = ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xabn], ["features", 0n]]);
  assert.equal(bad.ret, -EINVAL);
  assert.equal(bad.out.get("api"), 0n);
  // A feature 6.18 does not have (bit 17) is EINVAL, struct zeroed.
  const unk = api(p, fd, 1n << 17n);
  assert.equal(unk.ret, -EINVAL);
  assert.equal(unk.out.get("features"), 0n);
  const ok = api(p, fd, 0n);
  assert.equal(ok.ret, 0);
  assert.equal(ok.out.get("ioctls"), 0x8000000000000003n);
  assert.equal((ok.out.get("features") as bigint) & UFFD_FEATURE_SIGBUS, UFFD_FEATURE_SIGBUS);
  // Every feature of x86-64 6.18 (UFFD_API_FEATURES), as the host reports.
  assert.equal(ok.out.get("features"), 0x1ffffn);
  // A second handshake is EINVAL even though the first asked for nothing.
  assert.equal(api(p, fd, 0n).ret, -EINVAL);
  assert.equal(sysIoctl(p, 9, UFFDIO_API, 0).ret, -EBADF);
  assert.equal(sysIoctl(p, fd, UFFDIO_API, 0x1000).ret, -EFAULT);
});

Deno.test("UFFDIO_REGISTER: mode and range errnos in order, VMA types, EBUSY", () => {
  const { p } = machine();
  const fd = sys(p, "userfaultfd", 0);
  assert.equal(api(p, fd).ret, 0);
  map(p, B, 0x8000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B, 0x4000, 0n), -EINVAL); // mode 0
  assert.equal(register(p, fd, B, 0x4000, 8n), -EINVAL); // unknown mode bit
  assert.equal(register(p, fd, B + 1, 0x4000), -EINVAL); // unaligned start
  assert.equal(register(p, fd, B, 0x1001), -EINVAL); // unaligned len
  assert.equal(register(p, fd, B, 0), -EINVAL); // len 0
  assert.equal(register(p, fd, 0x800000000000, 0x1000), -EINVAL); // >= TASK_SIZE
  assert.equal(register(p, fd, B + 0x10000, 0x1000), -EINVAL); // no VMA
  // A regular file mapping cannot userfault (EINVAL).
  const f = open(p, "/tmp/u", 0o102);
  sys(p, "ftruncate", f, 0x1000);
  map(p, B + 0x10000, 0x1000, RW, PRIVATE, f);
  assert.equal(register(p, fd, B + 0x10000, 0x1000), -EINVAL);
  // shmem (a shared anonymous mapping) is accepted.
  map(p, B + 0x20000, 0x1000, RW, SHARED | MAP_ANONYMOUS, -1);
  assert.equal(register(p, fd, B + 0x20000, 0x1000), 0);
  assert.match(flagsAt(p, B + 0x20000), / um /);
  // Registration splits the VMA and sets um.
  assert.equal(register(p, fd, B, 0x4000), 0);
  assert.match(flagsAt(p, B), / um /);
  assert.doesNotMatch(flagsAt(p, B + 0x4000), / um /);
  assert.equal(p.mm.vmas.find(B)!.end, B + 0x4000);
  // Another context: EBUSY; registering again with the same one: 0.
  const fd2 = sys(p, "userfaultfd", 0);
  assert.equal(api(p, fd2).ret, 0);
  assert.equal(register(p, fd2, B, 0x1000), -EBUSY);
  assert.equal(register(p, fd, B, 0x8000), 0);
  // WP on another context's range: EBUSY; MINOR on anonymous memory: EINVAL.
  assert.equal(register(p, fd2, B + 0x20000, 0x1000, 2n), -EBUSY);
  assert.equal(register(p, fd, B, 0x1000, 4n), -EINVAL);
});

Deno.test("UFFDIO_REGISTER: the ioctls out field; UNREGISTER merges the VMA back", () => {
  const { p, fd } = setup();
  const r = ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 1n],
  ]);
  // WAKE|COPY|ZEROPAGE|MOVE|POISON: no WRITEPROTECT without MODE_WP, no
  // CONTINUE without MODE_MINOR (6.18.44 gives the same).
  assert.equal(r.out.get("ioctls"), 0x13cn);
  const un = (s: number, l: number) =>
    ioctl(p, fd, UFFDIO_UNREGISTER, UFFDIO_RANGE, [["start", BigInt(s)], ["len", BigInt(l)]]).ret;
  assert.equal(un(B + 0x10000, 0x1000), -EINVAL); // no VMA
  assert.equal(un(B, 0x2000), 0);
  assert.doesNotMatch(flagsAt(p, B), / um /);
  assert.match(flagsAt(p, B + 0x2000), / um /);
  assert.equal(un(B, 0x2000), 0); // already unregistered: 0
  assert.equal(un(B + 0x2000, 0x2000), 0);
  assert.equal(p.mm.vmas.find(B)!.end, B + 0x4000);
});

Deno.test("UFFDIO_COPY: checks in order, EEXIST, partial progress as EAGAIN with copy=bytes", () => {
  const { p, fd } = setup();
  map(p, B + 0x10000, 0x3000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  sys(p, "madvise", BigInt(B + 0x10000), 0x3000n, 23); // MADV_POPULATE_WRITE
  assert.equal(copy(p, fd, B, B + 0x10000, 0).ret, -EINVAL); // len 0
  assert.equal(copy(p, fd, B + 1, B + 0x10000, 0x1000).ret, -EINVAL); // dst unaligned
  assert.equal(copy(p, fd, B, B + 0x10000, 0x1000, 4n).ret, -EINVAL); // mode
  assert.equal(copy(p, fd, B + 0x10000, B + 0x10000, 0x1000).ret, -ENOENT); // unregistered
  assert.equal(copy(p, fd, B + 0x1000, B + 0x10001, 0x1000).ret, 0); // src may be unaligned
  const part = copy(p, fd, B, B + 0x10000, 0x3000);
  assert.equal(part.ret, -EAGAIN);
  assert.equal(part.out.get("copy"), 0x1000n);
  const none = copy(p, fd, B, B + 0x10000, 0x1000);
  assert.equal(none.ret, -EEXIST);
  assert.equal(none.out.get("copy"), BigInt(-EEXIST));
  // Reading src faults: EFAULT.
  assert.equal(copy(p, fd, B + 0x2000, 0x1000, 0x1000).ret, -EFAULT);
});

Deno.test("UFFDIO_ZEROPAGE maps the zero page; UFFDIO_WAKE validates the range only", () => {
  const { m, p, fd } = setup();
  const z = ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x2000)],
    ["mode", 0n],
  ]);
  assert.equal(z.ret, 0);
  assert.equal(z.out.get("zeropage"), 0x2000n);
  assert.equal(p.mm.pt.pfnAt(B / 4096), m.frames.zeroPfn);
  const bad = ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 2n],
  ]);
  assert.equal(bad.ret, -EINVAL);
  const wake = (s: number, l: number) =>
    ioctl(p, fd, UFFDIO_WAKE, UFFDIO_RANGE, [["start", BigInt(s)], ["len", BigInt(l)]]).ret;
  assert.equal(wake(B + 0x100000, 0x1000), 0);
  assert.equal(wake(B + 1, 0x1000), -EINVAL);
});

Deno.test("UFFD_FEATURE_SIGBUS: a missing fault is SIGBUS BUS_ADRERR; a filled page is normal", () => {
  const { m, p, fd } = setup(UFFD_FEATURE_SIGBUS);
  const r = cpuRead(p, B + 0x123, 1);
  assert.deepEqual(r.sig, { signo: SIGBUS, code: BUS_ADRERR, addr: B + 0x123 });
  assert.equal(r.done, 0);
  // No message is queued, no thread waits.
  assert.equal(syscall(p, "read", [fd, new Uint8Array(32), 32]).ret, -EAGAIN);
  assert.equal(m.sched.sleepers.size, 0);
});

Deno.test("UFFD_FEATURE_SIGBUS: after UFFDIO_ZEROPAGE the page reads as zeros", () => {
  const { p, fd } = setup(UFFD_FEATURE_SIGBUS);
  const z = ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, [
    ["range", range(B, 0x1000)],
    ["mode", 0n],
  ]);
  assert.equal(z.ret, 0);
  const r = cpuRead(p, B + 0x10, 2);
  assert.equal(r.sig, undefined);
  assert.deepEqual([...r.bytes!], [0, 0]);
});

Deno.test("UFFD_USER_MODE_ONLY: a kernel access into the range is EFAULT, no signal", () => {
  const { p } = setup(0n, O_NONBLOCK | UFFD_USER_MODE_ONLY);
  const f = open(p, "/tmp/k", 0o102);
  sys(p, "pwrite", f, "abcd", 4, 0);
  assert.equal(syscall(p, "pread", [f, BigInt(B), 4, 0]).ret, -EFAULT);
});

Deno.test("read(uffd): EINVAL below 32 bytes, EAGAIN with nothing pending", () => {
  const { p, fd } = setup();
  assert.equal(syscall(p, "read", [fd, new Uint8Array(16), 16]).ret, -EINVAL);
  assert.equal(syscall(p, "read", [fd, new Uint8Array(32), 32]).ret, -EAGAIN);
});

Deno.test("close(uffd): every registered VMA loses um and merges back", () => {
  const { p, fd } = setup();
  assert.equal(p.mm.userfaults.size, 1);
  assert.equal(sys(p, "close", fd), 0);
  assert.doesNotMatch(flagsAt(p, B), / um /);
  assert.equal(p.mm.vmas.find(B)!.uffd, null);
  assert.equal(p.mm.userfaults.size, 0);
  // The page now faults in as ordinary anonymous memory.
  assert.equal(cpuRead(p, B, 1).sig, undefined);
});

Deno.test("check: a registered VMA without its context, or a released one, is reported", () => {
  const { m, p, fd } = setup();
  assert.deepEqual(checkInvariants(m), []);
  const v = p.mm.vmas.find(B)!;
  const ctx = v.uffd;
  v.uffd = null;
  assert.match(checkInvariants(m).join("\n"), /has uffd flags but no context/);
  v.uffd = ctx;
  (ctx as unknown as { released: boolean }).released = true;
  assert.match(checkInvariants(m).join("\n"), /points to released uffd/);
  void fd;
});

Deno.test("UFFDIO_MOVE: the page changes address; EEXIST, ENOENT, holes, EBUSY after fork", () => {
  const { m, p, fd } = setup();
  const S = B + 0x10000;
  map(p, S, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const move = (dst: number, src: number, len: number, mode = 0n) =>
    ioctl(p, fd, UFFDIO_MOVE, UFFDIO_MOVE_LAYOUT, [
      ["dst", BigInt(dst)],
      ["src", BigInt(src)],
      ["len", BigInt(len)],
      ["mode", mode],
    ]);
  assert.equal(cpuWrite(p, S, new Uint8Array([9])).sig, undefined);
  const pfn = p.mm.pt.pfnAt(S / 4096);
  const r = move(B, S, 0x1000);
  assert.equal(r.ret, 0);
  assert.equal(r.out.get("move"), 0x1000n);
  assert.equal(p.mm.pt.pfnAt(B / 4096), pfn);
  assert.equal(p.mm.pt.bitsAt(S / 4096), 0);
  assert.equal(move(B, S + 0x1000, 0x1000).ret, -EEXIST);
  assert.equal(move(B + 0x1000, S + 0x1000, 0x1000).ret, -ENOENT);
  assert.equal(move(B + 0x1000, S + 0x1000, 0x1000, 2n).ret, 0); // ALLOW_SRC_HOLES
  assert.equal(move(B + 0x1000, S, 0x1000, 4n).ret, -EINVAL);
  assert.equal(move(S, B, 0x1000).ret, -EINVAL); // dst not registered
  assert.equal(cpuWrite(p, S + 0x2000, new Uint8Array([1])).sig, undefined);
  assert.ok(sys(p, "fork") > 0);
  assert.equal(move(B + 0x2000, S + 0x2000, 0x1000).ret, -EBUSY);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("read(uffd) before UFFDIO_API is EINVAL; /dev/userfaultfd makes one with USERFAULTFD_IOC_NEW", () => {
  const { p } = machine();
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  assert.equal(syscall(p, "read", [fd, new Uint8Array(32), 32]).ret, -EINVAL);
  const d = open(p, "/dev/userfaultfd", 2);
  assert.equal(sysIoctl(p, d, USERFAULTFD_IOC_NEW, 0x100).ret, -EINVAL);
  assert.equal(sysIoctl(p, d, UFFDIO_API, 0).ret, -EINVAL);
  const u = sysIoctl(p, d, USERFAULTFD_IOC_NEW, O_NONBLOCK).ret;
  assert.equal(u, d + 1);
  assert.equal(api(p, u).ret, 0);
  assert.equal(syscall(p, "read", [u, new Uint8Array(32), 32]).ret, -EAGAIN);
});
