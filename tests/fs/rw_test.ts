/**
 * pread64/pwrite64: the check order probed on Linux 6.18.44, user-copy
 * faults (short counts, EFAULT), EOF, O_APPEND, and the page cache shared
 * with mappings: a shared mapping sees pwrite at once, a private mapping
 * until it copies the page.
 */
import assert from "node:assert/strict";
import { cpuRead, syscall } from "../../mod.ts";
import { EBADF, EFAULT, EFBIG, EINVAL } from "../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_APPEND,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  PROT_NONE,
  PROT_READ,
} from "../../lib/abi/mman.ts";
import {
  B,
  fillFile,
  machine,
  map,
  open,
  peek,
  poke,
  pread,
  PRIVATE,
  pwrite,
  RW,
  SHARED,
  sys,
} from "./helpers.ts";

const LLONG_MAX = 0x7fffffffffffffffn;

Deno.test("pread/pwrite: errno rows in the kernel's order (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  const ro = open(p, "/tmp/f", O_RDONLY);
  const wo = open(p, "/tmp/f", O_WRONLY);
  // A negative offset is checked before the fd.
  assert.equal(pread(p, 100, 1, -1), -EINVAL);
  assert.equal(pread(p, wo, 1, -1), -EINVAL);
  assert.equal(pwrite(p, 100, "x", -1), -EINVAL);
  assert.equal(pwrite(p, ro, "x", -1), -EINVAL);
  assert.equal(pread(p, 100, 1, 0), -EBADF);
  assert.equal(pread(p, -1, 1, 0), -EBADF);
  assert.equal(pread(p, wo, 1, 0), -EBADF);
  assert.equal(pwrite(p, 100, "x", 0), -EBADF);
  assert.equal(pwrite(p, ro, "x", 0), -EBADF);
  // access_ok(), then offset + count overflowing; NULL passes access_ok but faults.
  assert.equal(sys(p, "pwrite", fd, 0, 1, 0), -EFAULT);
  assert.equal(sys(p, "pwrite", fd, 0, 0, 0), 0);
  assert.equal(sys(p, "pread", fd, 0xffff800000000000n, 5, 0), -EFAULT);
  assert.equal(sys(p, "pread", fd, BigInt(B), 1n << 62n, 0), -EFAULT);
  assert.equal(sys(p, "pread", fd, BigInt(B), 3, LLONG_MAX - 1n), -EINVAL);
  assert.equal(pwrite(p, fd, "abc", Number(LLONG_MAX - 1n)), -EINVAL);
  // Nothing to read past EOF: 0 even with a bad buffer.
  assert.equal(sys(p, "pread", fd, 0, 10, 100), 0);
  assert.equal(pwrite(p, fd, "hello", 0), 5);
  assert.equal(sys(p, "pread", fd, 0, 10, 0), -EFAULT);
  assert.equal(sys(p, "pread", fd, 0, 0, 0), 0);
  assert.equal(pread(p, ro, 16, 0), "hello");
  assert.equal(pread(p, fd, 16, 3), "lo");
  assert.equal(pread(p, fd, 16, 5), "");
});

Deno.test("pwrite: s_maxbytes of ext4 (EFBIG at 0xffffffff000, a short write just below)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(pwrite(p, fd, "abc", 0xffffffff000), -EFBIG);
  assert.equal(pwrite(p, fd, "abc", 0xfffffffeffe), 2);
  assert.equal(pread(p, fd, 8, 0xfffffffeffe), "ab");
});

Deno.test("pread/pwrite: a count of 0 does nothing; count is clamped by the buffer reaching TASK_SIZE", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "pwrite", fd, "x", 0, 100), 0);
  assert.equal(pread(p, fd, 1, 0), "");
  // The stack ends at TASK_SIZE: a buffer ending exactly there is fine.
  assert.equal(pwrite(p, fd, "0123456789abcdef", 0), 16);
  const top = 0x7ffffffff000;
  assert.equal(sys(p, "pread", fd, BigInt(top - 16), 16, 0), 16);
  assert.equal(peek(p, top - 16, 16), "0123456789abcdef");
  assert.equal(sys(p, "pread", fd, BigInt(top - 16), 17, 0), -EFAULT);
  assert.equal(sys(p, "pwrite", fd, BigInt(top - 4), 4, 100), 4);
  assert.equal(pread(p, fd, 4, 100), "cdef");
});

Deno.test("pread/pwrite: a buffer that faults part-way gives a short count; at once, EFAULT (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  const anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  assert.equal(sys(p, "mmap", BigInt(B), 0x1000n, RW, anon, -1, 0n), B);
  poke(p, B + 0xff0, "A".repeat(16));
  // 0x20 bytes from 0xff0: the second page is unmapped.
  assert.equal(sys(p, "pwrite", fd, BigInt(B + 0xff0), 0x20, 0), 16);
  assert.equal(pread(p, fd, 100, 0), "A".repeat(16));
  assert.equal(sys(p, "ftruncate", fd, 0x3000), 0);
  assert.equal(sys(p, "pread", fd, BigInt(B + 0xff0), 0x20, 0), 16);
  assert.equal(sys(p, "pread", fd, BigInt(B + 0xff0), 0x20, 0x3000), 0);
  assert.equal(sys(p, "pread", fd, BigInt(B + 0x1000), 0x20, 0), -EFAULT);
  // A read-only buffer cannot be written by pread; PROT_NONE cannot be read by pwrite.
  assert.equal(sys(p, "mprotect", BigInt(B), 0x1000n, PROT_READ), 0);
  assert.equal(sys(p, "pread", fd, BigInt(B), 0x20, 0), -EFAULT);
  assert.equal(sys(p, "mprotect", BigInt(B), 0x1000n, PROT_NONE), 0);
  assert.equal(sys(p, "pwrite", fd, BigInt(B), 0x20, 0), -EFAULT);
});

Deno.test("pread: data lands in user memory and in the result", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(pwrite(p, fd, "x".repeat(5000) + "tail", 0), 5004);
  const anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  assert.equal(sys(p, "mmap", BigInt(B), 0x3000n, RW, anon, -1, 0n), B);
  const r = syscall(p, "pread", [fd, BigInt(B + 10), 6000, 4000]);
  assert.equal(r.ret, 1004);
  assert.equal(r.data!.length, 1004);
  assert.equal(peek(p, B + 10 + 1000, 4), "tail");
  assert.equal(String.fromCharCode(...r.data!.subarray(1000)), "tail");
});

Deno.test("pwrite: with O_APPEND the data goes to EOF whatever the offset (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/h", O_RDWR | O_CREAT | O_APPEND | O_TRUNC);
  assert.equal(pwrite(p, fd, "abc", 0), 3);
  assert.equal(pwrite(p, fd, "de", 0), 2);
  assert.equal(pread(p, fd, 10, 0), "abcde");
});

Deno.test("pwrite: a shared mapping sees the write at once; a private one until it copies the page", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "F", 0, 0x2000);
  const S = B, P = B + 0x10000;
  map(p, S, 0x2000, RW, SHARED, fd);
  map(p, P, 0x2000, RW, PRIVATE, fd);
  assert.equal(peek(p, P, 1), "F"); // page 0: read, still the page-cache page
  poke(p, P + 0x1000, "p"); // page 1: COW copy
  assert.equal(pwrite(p, fd, "W", 0), 1);
  assert.equal(pwrite(p, fd, "W", 0x1000), 1);
  assert.equal(peek(p, S, 1), "W");
  assert.equal(peek(p, P, 1), "W");
  assert.equal(peek(p, S + 0x1000, 1), "W");
  assert.equal(peek(p, P + 0x1000, 1), "p");
  // The other way: a store through the shared mapping is file data; the private copy is not.
  poke(p, S + 0x10, "s");
  assert.equal(pread(p, fd, 1, 0x10), "s");
  assert.equal(pread(p, fd, 1, 0x1000), "W");
  assert.equal(peek(p, P + 0x10, 1), "s");
});

Deno.test("pread/pwrite on a memfd: holes read as zeros without allocating; writes allocate", () => {
  const { m, p } = machine();
  const fd = sys(p, "memfd_create", "t", 0);
  assert.equal(sys(p, "ftruncate", fd, 0x10000), 0);
  const free0 = m.frames.freeCount;
  assert.equal(pread(p, fd, 3, 0x8000), "\0\0\0");
  assert.equal(m.frames.freeCount, free0);
  assert.equal(pwrite(p, fd, "abc", 0x8000), 3);
  assert.equal(m.frames.freeCount, free0 - 1);
  assert.equal(pread(p, fd, 3, 0x8000), "abc");
  // A regular file's hole is read into the page cache.
  const f2 = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "ftruncate", f2, 0x10000), 0);
  const free1 = m.frames.freeCount;
  assert.equal(pread(p, f2, 1, 0x4000), "\0");
  assert.equal(m.frames.freeCount, free1 - 1);
});

Deno.test("pread: reading from a file into its own mapping past EOF stops short (kernel copy gets EFAULT, no SIGBUS)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "q", 0, 0x1000);
  map(p, B, 0x2000, RW, SHARED, fd); // page 1 is past EOF
  assert.equal(sys(p, "pread", fd, BigInt(B + 0xffc), 8, 0), 4);
  assert.equal(sys(p, "pread", fd, BigInt(B + 0x1000), 8, 0), -EFAULT);
  assert.equal(p.signals.length, 0);
  assert.equal(cpuRead(p, B + 0x1000, 1).sig?.signo, 7);
});
