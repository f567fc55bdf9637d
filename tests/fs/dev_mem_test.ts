/** /dev/zero and /dev/null (drivers/char/mem.c): read, write, lseek and mmap_zero(). */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, mapsLines, syscall } from "../../mod.ts";
import { EFAULT, ENODEV, ENOMEM } from "../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_NORESERVE,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_READ,
  SEEK_SET,
} from "../../lib/abi/mman.ts";
import { committedPages } from "../../lib/mm/accounting.ts";
import { B, machine, open, RW, sys } from "./helpers.ts";

Deno.test("/dev/zero and /dev/null: reads, writes, null_lseek", () => {
  const { p } = machine();
  const z = open(p, "/dev/zero", O_RDWR);
  const n = open(p, "/dev/null", O_RDWR);
  assert.equal(sys(p, "mmap", B, 8192, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), B);
  cpuWrite(p, B, new Uint8Array(8192).fill(0x41));
  // A read running into unmapped memory stops there; none at all is EFAULT.
  assert.equal(sys(p, "read", z, B + 4096, 100000), 4096);
  assert.equal(cpuRead(p, B + 4096, 1).bytes![0], 0);
  assert.equal(cpuRead(p, B, 1).bytes![0], 0x41);
  assert.equal(sys(p, "read", z, B + 0x100000, 10), -EFAULT);
  assert.equal(sys(p, "write", z, "abc", 3), 3);
  assert.equal(sys(p, "lseek", z, 100, SEEK_SET), 0);
  assert.equal(sys(p, "read", n, B, 10), 0);
  assert.equal(sys(p, "write", n, "abc", 3), 3);
  assert.equal(sys(p, "mmap", 0, 4096, PROT_READ, MAP_PRIVATE, n, 0), -ENODEV);
});

Deno.test("mmap /dev/zero: private is anonymous and keeps the file, shared is shmem", () => {
  const { p } = machine();
  const z = open(p, "/dev/zero", O_RDWR);
  const a = sys(p, "mmap", B, 16384, RW, MAP_PRIVATE | MAP_FIXED, z, 4096);
  const b = sys(p, "mmap", B + 0x10000, 16384, RW, MAP_SHARED | MAP_FIXED, z, 0);
  const va = p.mm.vmas.lookup(a)!;
  assert.equal(va.isAnonymous, true);
  assert.equal(va.file?.inode.path, "/dev/zero");
  const vb = p.mm.vmas.lookup(b)!;
  assert.equal(vb.file?.inode.kind, "shmem");
  cpuWrite(p, a, new Uint8Array([5]));
  cpuWrite(p, b, new Uint8Array([6]));
  const lines = mapsLines(p).filter((l) => l.includes("/dev/zero"));
  assert.deepEqual(lines.map((l) => l.replace(/ +/g, " ")), [
    "7f0000000000-7f0000004000 rw-p 00001000 00:06 4 /dev/zero",
    "7f0000010000-7f0000014000 rw-s 00000000 00:01 1024 /dev/zero (deleted)",
  ]);
  // Overcommit: shared charged by shmem_acct_size(), private writable by VM_ACCOUNT.
  const c0 = committedPages(p.mm);
  assert.equal(sys(p, "mmap", 0, 2n << 30n, RW, MAP_SHARED, z, 0), -ENOMEM);
  assert.equal(sys(p, "mmap", 0, 2n << 30n, RW, MAP_PRIVATE, z, 0), -ENOMEM);
  assert.ok(sys(p, "mmap", 0, 2n << 30n, RW, MAP_SHARED | MAP_NORESERVE, z, 0) > 0);
  assert.equal(committedPages(p.mm), c0);
  assert.ok(syscall(p, "mmap", [0, 8192, RW, MAP_SHARED, z, 0]).ret > 0);
  assert.equal(committedPages(p.mm), c0 + 2);
});

Deno.test("read into a literal buffer stops at its 16 MiB (no huge allocation)", () => {
  const { p } = machine();
  const z = open(p, "/dev/zero", O_RDWR);
  const r = syscall(p, "read", [z, "", 1n << 31n]);
  assert.equal(r.ret, 16 << 20);
  const m = sys(p, "memfd_create", "x", 0);
  assert.equal(sys(p, "ftruncate", m, 1n << 40n), 0);
  assert.equal(sys(p, "pread", m, "", 1n << 31n, 0), 16 << 20);
});
