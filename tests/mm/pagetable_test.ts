import assert from "node:assert/strict";
import { PageTable, PTE_PRESENT, PTE_WRITE } from "../../lib/mm/pagetable.ts";

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
