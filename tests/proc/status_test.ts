/**
 * /proc/PID/status memory lines. The deltas are the ones Linux 6.18.44
 * showed for the same steps (✔ probe p10: a setarch -R C program that
 * starts at VmData 224, VmStk 132, VmLib 1528 kB like mmlab's image).
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, mman, statusLines, syscall } from "../../mod.ts";
import { ANON, B, fresh, kbOf, map, PG, RW, SHANON } from "./helpers.ts";

Deno.test("status: the initial image", () => {
  const [, p] = fresh();
  assert.deepEqual(statusLines(p), [
    "VmSize:\t    2504 kB",
    "VmLck:\t       0 kB",
    "VmPin:\t       0 kB",
    "VmRSS:\t       0 kB",
    "RssAnon:\t       0 kB",
    "RssFile:\t       0 kB",
    "RssShmem:\t       0 kB",
    "VmData:\t     224 kB",
    "VmStk:\t     132 kB",
    "VmExe:\t      20 kB",
    "VmLib:\t    1528 kB",
    "VmPTE:\t       0 kB",
    "VmSwap:\t       0 kB",
    "HugetlbPages:\t       0 kB",
  ]);
});

Deno.test("status: mmap, writes, mprotect, MAP_LOCKED, MAP_GROWSDOWN move the counters", () => {
  const [, p] = fresh();
  const s0 = statusLines(p);
  const d = (name: string) => kbOf(statusLines(p), name) - kbOf(s0, name);
  map(p, B, 4 * PG, RW, ANON);
  assert.deepEqual([d("VmSize"), d("VmData"), d("VmRSS")], [16, 16, 0]);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  // A new PUD, PMD and PTE table for 0x7f0000000000: +12 kB of page tables.
  assert.deepEqual([d("VmRSS"), d("RssAnon"), d("VmPTE")], [8, 8, 12]);
  assert.equal(syscall(p, "mprotect", [BigInt(B), BigInt(4 * PG), mman.PROT_NONE]).ret, 0);
  assert.deepEqual([d("VmData"), d("VmRSS")], [0, 8]);
  assert.equal(
    syscall(p, "mprotect", [BigInt(B), BigInt(4 * PG), mman.PROT_READ | mman.PROT_EXEC]).ret,
    0,
  );
  assert.deepEqual([d("VmData"), d("VmLib"), d("VmExe")], [0, 16, 0]);
  map(p, B + 0x100000, 4 * PG, RW, SHANON);
  cpuWrite(p, B + 0x100000, new Uint8Array([1]));
  assert.deepEqual([d("VmSize"), d("RssShmem"), d("RssAnon")], [32, 4, 8]);
  map(p, B + 0x200000, 4 * PG, RW, ANON | mman.MAP_LOCKED);
  // Populated (16 kB more anon), locked, and a new PTE table.
  assert.deepEqual([d("VmLck"), d("RssAnon"), d("VmData"), d("VmPTE")], [16, 24, 16, 16]);
  map(p, B + 0x300000, 4 * PG, RW, ANON | mman.MAP_GROWSDOWN);
  assert.deepEqual([d("VmStk"), d("VmData")], [16, 16]);
});

Deno.test("status: private file pages count in RssFile, their COW copies in RssAnon", () => {
  const [, p] = fresh();
  const fd = syscall(p, "open", ["/tmp/st", 0o102, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, 2 * PG]).ret, 0);
  map(p, B, 2 * PG, RW, mman.MAP_PRIVATE | mman.MAP_FIXED_NOREPLACE, fd);
  cpuRead(p, B, 1); // read-around, then fault-around maps both pages
  const l = statusLines(p);
  assert.deepEqual([kbOf(l, "RssAnon"), kbOf(l, "RssFile"), kbOf(l, "VmRSS")], [0, 8, 8]);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  const l2 = statusLines(p);
  assert.deepEqual([kbOf(l2, "RssAnon"), kbOf(l2, "RssFile"), kbOf(l2, "VmRSS")], [8, 0, 8]);
});

Deno.test("status: a zombie has no memory lines", () => {
  const [m, p] = fresh();
  const c = m.process(syscall(p, "fork", []).ret)!;
  assert.equal(statusLines(c).length, 14);
  syscall(c, "exit", [0]);
  assert.deepEqual(statusLines(c), []);
});
