/** mincore(2): mm/mincore.c, checked on 6.18.44. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import {
  MADV_DONTNEED,
  MADV_GUARD_INSTALL,
  MADV_RANDOM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDONLY,
  O_RDWR,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EFAULT, EINVAL, ENOMEM } from "../../lib/abi/errno.ts";

const B = 0x7f0000000000n;
const PG = 0x1000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const VVAR = 0x7ffff7fc2000n;
const STACK_TOP = 0x7ffffffff000n;
/** A page for the vector, away from the pages examined. */
const VEC = B + 0x100000n;

function setup(root = true) {
  const m = new Machine({ root });
  const p = m.init;
  assert.equal(syscall(p, "mmap", [B, 4n * PG, RW, ANON, -1, 0]).ret, Number(B));
  assert.equal(syscall(p, "mmap", [VEC, PG, RW, ANON, -1, 0]).ret, Number(VEC));
  return { m, p };
}

function mincore(p: Process, addr: bigint, len: bigint, vec?: bigint) {
  const r = syscall(p, "mincore", vec === undefined ? [addr, len] : [addr, len, vec]);
  return { ret: r.ret, vec: r.data === undefined ? undefined : [...r.data] };
}

function mmap(p: Process, addr: bigint, len: bigint, prot: number, flags: number, fd = -1) {
  assert.equal(syscall(p, "mmap", [addr, len, prot, flags, fd, 0]).ret, Number(addr));
}

function userBytes(p: Process, addr: bigint, n: number): number[] {
  return [...cpuRead(p, addr, n).bytes!];
}

Deno.test("mincore: check order — alignment, the range, the vector", () => {
  const { p } = setup();
  assert.equal(mincore(p, B + 1n, PG, VEC).ret, -EINVAL);
  assert.equal(mincore(p, B + 1n, PG, 8n).ret, -EINVAL);
  assert.equal(mincore(p, B, 0n, VEC).ret, 0);
  assert.equal(mincore(p, B + 64n * PG, 0n, 8n).ret, 0); // len 0: nothing is looked at
  assert.equal(mincore(p, STACK_TOP, 0n, VEC).ret, 0); // access_ok(TASK_SIZE, 0)
  assert.equal(mincore(p, STACK_TOP + PG, 0n, VEC).ret, -ENOMEM);
  assert.equal(mincore(p, 0xffff800000000000n, 0n, VEC).ret, -ENOMEM);
  assert.equal(mincore(p, 0xffff800000000000n, PG, VEC).ret, -ENOMEM);
  assert.equal(mincore(p, B, -0x1000n, VEC).ret, -ENOMEM);
  assert.equal(mincore(p, B, -1n, VEC).ret, -ENOMEM);
  assert.equal(mincore(p, STACK_TOP - PG, PG + 1n, VEC).ret, -ENOMEM); // ends past TASK_SIZE
  assert.equal(mincore(p, B, PG, 0xffff800000000000n).ret, -EFAULT);
  assert.equal(mincore(p, B + 64n * PG, PG, 0xffff800000000000n).ret, -EFAULT); // before the walk
  assert.equal(mincore(p, B + 64n * PG, PG, 0n).ret, -ENOMEM); // NULL passes access_ok
  assert.equal(mincore(p, B, PG, 0n).ret, -EFAULT); // then the copy fails
  assert.equal(mincore(p, B, 2n * PG, STACK_TOP - 1n).ret, -EFAULT); // vec + 2 > TASK_SIZE
  // The last stack page, with the vector's last byte at TASK_SIZE - 1.
  assert.equal(mincore(p, STACK_TOP - PG, PG, STACK_TOP - 1n).ret, 0);
  assert.equal(mincore(p, STACK_TOP - 2n * PG, 2n * PG, VEC).ret, 0);
});

Deno.test("mincore: anonymous pages — written and zero-page mapped are resident, untouched are not", () => {
  const { p } = setup();
  cpuWrite(p, B, new Uint8Array([1]));
  cpuRead(p, B + 2n * PG, 1); // maps the shared zero page
  const r = mincore(p, B, 4n * PG, VEC);
  assert.equal(r.ret, 0);
  assert.deepEqual(userBytes(p, VEC, 4), [1, 0, 1, 0]);
  assert.deepEqual(mincore(p, B, 4n * PG).vec, [1, 0, 1, 0]); // without vec: data only
  assert.deepEqual(mincore(p, B, 1n).vec, [1]); // len rounds up
  assert.deepEqual(mincore(p, B, PG + 1n).vec, [1, 0]);
  // PROT_NONE keeps a present PTE: still resident.
  assert.equal(syscall(p, "mprotect", [B, PG, PROT_NONE]).ret, 0);
  assert.deepEqual(mincore(p, B, PG).vec, [1]);
  // Guard markers count as none: anonymous 0.
  assert.equal(syscall(p, "madvise", [B + 2n * PG, PG, MADV_GUARD_INSTALL]).ret, 0);
  assert.deepEqual(mincore(p, B + PG, 3n * PG).vec, [0, 0, 0]);
});

Deno.test("mincore: a hole is ENOMEM after the vector of the VMAs before it was written", () => {
  const { p } = setup();
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + 2n * PG, new Uint8Array([1]));
  syscall(p, "munmap", [B + 3n * PG, PG]);
  cpuWrite(p, VEC, new Uint8Array(8).fill(0xee));
  assert.equal(mincore(p, B, 5n * PG, VEC).ret, -ENOMEM);
  assert.deepEqual(userBytes(p, VEC, 5), [1, 0, 1, 0xee, 0xee]);
  assert.deepEqual(mincore(p, B, 5n * PG).vec, [1, 0, 1]);
  syscall(p, "mmap", [B + 4n * PG, PG, RW, ANON, -1, 0]);
  cpuWrite(p, VEC, new Uint8Array(8).fill(0xee));
  assert.equal(mincore(p, B, 5n * PG, VEC).ret, -ENOMEM);
  assert.deepEqual(userBytes(p, VEC, 5), [1, 0, 1, 0xee, 0xee]);
  assert.equal(mincore(p, B + 3n * PG, 2n * PG, VEC).ret, -ENOMEM);
  assert.deepEqual(mincore(p, B + 3n * PG, 2n * PG).vec, []);
});

Deno.test("mincore: a vector in unmapped or read-only memory is EFAULT", () => {
  const { p } = setup();
  assert.equal(mincore(p, B, PG, B + 64n * PG).ret, -EFAULT);
  mmap(p, B + 8n * PG, PG, PROT_READ, ANON);
  assert.equal(mincore(p, B, PG, B + 8n * PG).ret, -EFAULT);
});

Deno.test("mincore: file mappings report the page cache, even for pages this mapping never touched", () => {
  const { m, p } = setup();
  const inode = m.fs.create("/tmp/f", 4 * 0x1000);
  const fd = p.allocFd(m.openInode(inode, O_RDWR));
  mmap(p, B + 16n * PG, 6n * PG, RW, MAP_PRIVATE | MAP_FIXED, fd);
  assert.deepEqual(mincore(p, B + 16n * PG, 6n * PG).vec, [0, 0, 0, 0, 0, 0]);
  // MADV_RANDOM: a fault reads just its page, no read-around.
  assert.equal(syscall(p, "madvise", [B + 16n * PG, 6n * PG, MADV_RANDOM]).ret, 0);
  // Another (shared) mapping caches page 2.
  mmap(p, B + 32n * PG, 4n * PG, RW, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(syscall(p, "madvise", [B + 32n * PG, 4n * PG, MADV_RANDOM]).ret, 0);
  cpuWrite(p, B + 34n * PG, new Uint8Array([1]));
  assert.deepEqual(mincore(p, B + 16n * PG, 6n * PG).vec, [0, 0, 1, 0, 0, 0]);
  // A private COW copy is a present PTE.
  cpuWrite(p, B + 16n * PG, new Uint8Array([1]));
  assert.deepEqual(mincore(p, B + 16n * PG, 6n * PG).vec, [1, 0, 1, 0, 0, 0]);
  // Shared anonymous memory: DONTNEED unmaps, the shmem page stays cached.
  mmap(p, B + 48n * PG, 4n * PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  cpuWrite(p, B + 49n * PG, new Uint8Array([1]));
  assert.equal(syscall(p, "madvise", [B + 49n * PG, PG, MADV_DONTNEED]).ret, 0);
  assert.deepEqual(mincore(p, B + 48n * PG, 4n * PG).vec, [0, 1, 0, 0]);
  // Guard markers: a file VMA asks the page cache (page 0 came in with the COW fault).
  assert.equal(syscall(p, "madvise", [B + 34n * PG, PG, MADV_GUARD_INSTALL]).ret, 0);
  assert.deepEqual(mincore(p, B + 32n * PG, 4n * PG).vec, [1, 0, 1, 0]);
});

Deno.test("mincore: special mappings ([vvar]) report every page resident", () => {
  const { p } = setup();
  assert.deepEqual(mincore(p, VVAR, 4n * PG).vec, [1, 1, 1, 1]);
});

Deno.test("mincore: without CAP_FOWNER a file not open for writing reveals nothing (all 1)", () => {
  const { m, p } = setup(false);
  const inode = m.fs.create("/tmp/f", 2 * 0x1000);
  inode.mode = 0o644;
  const fd = p.allocFd(m.openInode(inode, O_RDONLY));
  mmap(p, B + 16n * PG, 2n * PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd);
  assert.deepEqual(mincore(p, B + 16n * PG, 2n * PG).vec, [1, 1]);
  const rw = p.allocFd(m.openInode(inode, O_RDWR));
  mmap(p, B + 32n * PG, 2n * PG, PROT_READ, MAP_SHARED | MAP_FIXED, rw);
  assert.deepEqual(mincore(p, B + 32n * PG, 2n * PG).vec, [0, 0]);
});
