/** /proc/meminfo lines mmlab computes, in the kernel's format and order. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, meminfoLines, mman, syscall } from "../../mod.ts";
import { ANON, B, fresh, kbOf, map, PG, RW, SHANON } from "./helpers.ts";

Deno.test("meminfo: a fresh 1 GiB machine", () => {
  const [m] = fresh();
  assert.deepEqual(meminfoLines(m), [
    "MemTotal:        1032192 kB", // 1 GiB less the 16 MiB of reserved (kernel) frames
    "MemFree:         1032192 kB",
    "MemAvailable:    1026068 kB", // free less the high watermark (totalreserve_pages)
    "Cached:                0 kB",
    "SwapCached:            0 kB",
    "Mlocked:               0 kB",
    "SwapTotal:             0 kB",
    "SwapFree:              0 kB",
    "AnonPages:             0 kB",
    "Mapped:                0 kB",
    "Shmem:                 0 kB",
    "PageTables:            4 kB", // the PGD of pid 1
    "CommitLimit:      516096 kB", // overcommit_ratio 50%, no swap
    "Committed_AS:        384 kB", // the VM_ACCOUNT VMAs of the initial image
    "AnonHugePages:         0 kB",
    "ShmemHugePages:        0 kB",
    "ShmemPmdMapped:        0 kB",
    "FileHugePages:         0 kB",
    "FilePmdMapped:         0 kB",
    "HugePages_Total:       0",
    "HugePages_Free:        0",
    "HugePages_Rsvd:        0",
    "HugePages_Surp:        0",
    "Hugepagesize:       2048 kB",
    "Hugetlb:               0 kB",
  ]);
});

Deno.test("meminfo: anonymous pages, fork sharing, zero page", () => {
  const [m, p] = fresh();
  const m0 = meminfoLines(m);
  const d = (name: string) => kbOf(meminfoLines(m), name) - kbOf(m0, name);
  map(p, B, 4 * PG, RW, ANON);
  assert.deepEqual([d("Committed_AS"), d("AnonPages")], [16, 0]);
  cpuWrite(p, B, new Uint8Array(2 * PG).fill(1));
  cpuRead(p, B + 2 * PG, 1); // the zero page is not a new page
  assert.deepEqual([d("AnonPages"), d("MemFree")], [8, -8]);
  // PUD, PMD and PTE table of the new region.
  assert.equal(d("PageTables"), 12);
  const c = m.process(syscall(p, "fork", []).ret)!;
  // COW-shared pages are counted once; the child has its own PGD and tables.
  assert.deepEqual([d("AnonPages"), d("MemFree"), d("Committed_AS")], [8, -8, 416]);
  assert.equal(d("PageTables"), 12 + 4 + 12);
  cpuWrite(c, B, new Uint8Array([2]));
  assert.deepEqual([d("AnonPages"), d("MemFree")], [12, -12]);
  syscall(c, "exit", [0]);
  assert.deepEqual([d("AnonPages"), d("MemFree"), d("PageTables")], [8, -8, 12]);
});

Deno.test("meminfo: page cache, shmem and mapped file pages", () => {
  const [m, p] = fresh();
  const fd = syscall(p, "open", ["/tmp/mi", 0o102, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, 2 * PG]).ret, 0);
  map(p, B, 2 * PG, RW, mman.MAP_SHARED | mman.MAP_FIXED_NOREPLACE, fd);
  cpuWrite(p, B, new Uint8Array([1]));
  map(p, B + 0x100000, 4 * PG, RW, SHANON);
  cpuWrite(p, B + 0x100000, new Uint8Array([1]));
  let l = meminfoLines(m);
  // The write fault read the file's other page too (read-around): both cached, one mapped.
  assert.deepEqual(
    ["Cached", "Mapped", "Shmem", "AnonPages"].map((n) => kbOf(l, n)),
    [12, 8, 4, 0],
  );
  // Unmapped, the file pages stay in the page cache.
  assert.equal(syscall(p, "munmap", [BigInt(B), BigInt(2 * PG)]).ret, 0);
  l = meminfoLines(m);
  assert.deepEqual(["Cached", "Mapped", "Shmem"].map((n) => kbOf(l, n)), [12, 4, 4]);
});

Deno.test("meminfo: Mlocked counts the frames of locked VMAs", () => {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON | mman.MAP_LOCKED);
  assert.equal(kbOf(meminfoLines(m), "Mlocked"), 16);
  assert.equal(syscall(p, "munlock", [BigInt(B), BigInt(2 * PG)]).ret, 0);
  assert.equal(kbOf(meminfoLines(m), "Mlocked"), 8);
});

Deno.test("meminfo: CommitLimit follows vm.overcommit_ratio and RAM", () => {
  const m = new Machine({ ramBytes: 64 << 20, sysctl: { overcommitRatio: 100 } });
  // 64 MiB = 16384 frames, 1024 reserved (1/16): 15360 pages of RAM.
  assert.equal(kbOf(meminfoLines(m), "MemTotal"), 61440);
  assert.equal(kbOf(meminfoLines(m), "CommitLimit"), 61440);
});
