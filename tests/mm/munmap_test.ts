/** munmap(2): linux-mm.md §3. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EINVAL, ENOMEM } from "../../lib/abi/errno.ts";
import { windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

Deno.test("munmap: EINVAL for unaligned start, start past TASK_SIZE, len beyond it, len rounding to 0 (U1, U6, U2)", () => {
  const p = new Machine().init;
  assert.equal(syscall(p, "munmap", [B + 1n, 0x1000n]).ret, -EINVAL);
  assert.equal(syscall(p, "munmap", [0x7ffffffff000n, 0x1000n]).ret, -EINVAL);
  assert.equal(syscall(p, "munmap", [B, 0x10000000000n]).ret, -EINVAL);
  assert.equal(syscall(p, "munmap", [B, 0n]).ret, -EINVAL);
  assert.equal(syscall(p, "munmap", [B, -1n]).ret, -EINVAL);
});

Deno.test("munmap: nothing mapped is success (U3)", () => {
  const p = new Machine().init;
  assert.equal(syscall(p, "munmap", [B, 0x1000n]).ret, 0);
});

Deno.test("munmap: the middle of a VMA splits it; len 1 unmaps a page; holes are fine (U4, U5, U7)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x5000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  assert.equal(syscall(p, "munmap", [B + 0x1000n, 1n]).ret, 0);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "7f0000002000-7f0000005000 rw-p 00000000 00:00 0 ",
  ]);
  assert.equal(syscall(p, "munmap", [B, 0x4000n]).ret, 0);
  assert.deepEqual(windowMaps(p), ["7f0000004000-7f0000005000 rw-p 00000000 00:00 0 "]);
  assert.equal(cpuRead(p, B, 1).sig?.code, 1); // SEGV_MAPERR
});

Deno.test("munmap: pages are freed when their last mapping goes", () => {
  const m = new Machine();
  const p = m.init;
  const free0 = m.frames.freeCount;
  syscall(p, "mmap", [B, 0x4000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  for (let i = 0n; i < 4n; i++) cpuWrite(p, B + i * 0x1000n, new Uint8Array([1]));
  assert.equal(m.frames.freeCount, free0 - 4);
  syscall(p, "munmap", [B, 0x4000n]);
  assert.equal(m.frames.freeCount, free0);
});

Deno.test("munmap: a split at the map-count limit is ENOMEM; head or tail never needs one (MC3, MC4)", () => {
  const m = new Machine({ sysctl: { maxMapCount: 0 } });
  const p = m.init;
  // Map count is already above 0: every split needing a new VMA fails.
  (m.sysctl as { maxMapCount: number }).maxMapCount = p.mm.mapCount + 1;
  syscall(p, "mmap", [B, 0x3000n, PROT_READ, ANON, -1, 0]);
  assert.equal(p.mm.mapCount, m.sysctl.maxMapCount);
  assert.equal(syscall(p, "munmap", [B + 0x1000n, 0x1000n]).ret, -ENOMEM);
  assert.equal(syscall(p, "munmap", [B, 0x1000n]).ret, 0);
  assert.equal(syscall(p, "munmap", [B + 0x2000n, 0x1000n]).ret, 0);
  assert.deepEqual(windowMaps(p), ["7f0000001000-7f0000002000 r--p 00000000 00:00 0 "]);
});

Deno.test("munmap: [vdso] cannot be split, only removed whole (X4, X4e)", () => {
  const p = new Machine().init;
  assert.equal(syscall(p, "munmap", [0x7ffff7fc8000n, 0x1000n]).ret, -EINVAL);
  assert.equal(syscall(p, "munmap", [0x7ffff7fc8000n, 0x2000n]).ret, 0);
});
