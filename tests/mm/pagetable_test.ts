import assert from "node:assert/strict";
import { PageTable, PTE_PRESENT, PTE_WRITE } from "../../lib/mm/pagetable.ts";
import { cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";

Deno.test("PageTable: sparse set/get across the 47-bit range; tables counted and freed", () => {
  const pt = new PageTable();
  const vpns = [0, 511, 512, 2 ** 27 - 1, 2 ** 27, 0x7fffffffe, 0x7f0000000];
  vpns.forEach((v, i) => pt.set(v, 100 + i, PTE_PRESENT | PTE_WRITE));
  vpns.forEach((v, i) => {
    assert.equal(pt.pfnAt(v), 100 + i);
    assert.equal(pt.bitsAt(v), PTE_PRESENT | PTE_WRITE);
  });
  assert.equal(pt.bitsAt(1), 0);
  assert.equal(pt.countUsed(0, 2 ** 35), vpns.length);
  assert.equal(pt.walk(0x7f0000000).levels, 4);
  assert.equal(pt.walk(0x123456789).levels, 1);
  const tables = pt.tables;
  pt.set(511, 0, 0);
  pt.set(0, 0, 0);
  pt.freeEmpty(0, 1024);
  assert.equal(pt.tables, tables - 1);
  assert.equal(pt.countUsed(0, 2 ** 35), vpns.length - 2);
});

Deno.test("PageTable: forEachTable visits only existing tables, in order, with bounds", () => {
  const pt = new PageTable();
  pt.set(5, 1, PTE_PRESENT);
  pt.set(2 ** 20 + 7, 2, PTE_PRESENT);
  const seen: [number, number, number][] = [];
  pt.forEachTable(3, 2 ** 20 + 8, (_t, base, lo, hi) => seen.push([base, lo, hi]));
  assert.deepEqual(seen, [[0, 3, 512], [2 ** 20, 0, 8]]);
});

Deno.test("PageTable: a freed PTE table is reused through the shared pool, with every entry none", () => {
  const pool: NonNullable<PageTable["pool"]> = [];
  const a = new PageTable(), b = new PageTable();
  a.pool = b.pool = pool;
  a.set(7, 1234, PTE_PRESENT | PTE_WRITE);
  const t = a.table(7, false)!;
  // Cleared entries may leave a stale pfn behind; the pool must not pass it on.
  t.pfn[9] = 55;
  a.set(7, 0, 0);
  a.freeEmpty(0, 512);
  assert.equal(a.tables, 0);
  assert.equal(pool.length, 1);
  assert.equal(b.table(2 ** 20, true), t);
  assert.equal(pool.length, 0);
  assert.equal(b.tables, 1);
  assert.equal(t.used, 0);
  assert.ok(t.bits.every((x) => x === 0) && t.pfn.every((x) => x === 0));
  assert.equal(b.bitsAt(2 ** 20 + 7), 0);
});

Deno.test("fork takes its PTE tables from what the previous child's exit freed", () => {
  const m = new Machine();
  const p = m.init;
  const a = syscall(p, "mmap", [0n, 8n << 20n, 3n, 0x22n, -1n, 0n]).ret;
  for (let x = a; x < a + (8 << 20); x += 4096) cpuWrite(p, x, new Uint8Array([1]));
  const first = m.process(syscall(p, "fork", []).ret)!;
  syscall(first, "exit", [0]);
  const freed = m.ptePool.length;
  assert.ok(freed >= 4, `exit freed ${freed} tables`);
  const second = m.process(syscall(p, "fork", []).ret)!;
  assert.ok(m.ptePool.length < freed);
  assert.deepEqual(cpuRead(second, a + 4096 * 100, 1).bytes, new Uint8Array([1]));
  assert.equal(second.mm.pt.countUsed(0, 2 ** 35), p.mm.pt.countUsed(0, 2 ** 35));
});
