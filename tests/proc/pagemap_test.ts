/** /proc/PID/pagemap (fs/proc/task_mmu.c pte_to_pagemap_entry), as the pagemap view decodes it. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, pagemapEntries, renderPagemap, syscall } from "../../mod.ts";
import { MADV_GUARD_INSTALL, O_CREAT, O_RDWR } from "../../lib/abi/mman.ts";
import { ANON, B, map, PG, RW } from "./helpers.ts";
import { MAP_SHARED, PROT_READ } from "../../lib/abi/mman.ts";
import { HANG_MS } from "../hang.ts";

Deno.test("pagemap: present/file/exclusive/guard bits, PFN for root only, zeros counted", () => {
  const m = new Machine();
  const p = m.init;
  map(p, B, 16 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuRead(p, B + 2 * PG, 1); // the zero page: present, no struct page flags
  syscall(p, "madvise", [B + 4 * PG, PG, MADV_GUARD_INSTALL]);
  const fd = syscall(p, "open", ["/tmp/f", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(p, "pwrite", [fd, "x", 1, 0]);
  const f = syscall(p, "mmap", [B + 32 * PG, PG, PROT_READ, MAP_SHARED, fd, 0]).ret;
  cpuRead(p, f, 1);
  const anonPfn = p.mm.pt.pfnAt(B / PG);
  const rows = pagemapEntries(p, B, B + 33 * PG);
  assert.deepEqual(rows.map((r) => [r.addr - B, r.entry.slice(0, 4)]), [
    [0, "8100"], // present | exclusive
    [2 * PG, "8000"], // the zero page
    [4 * PG, "4400"], // guard marker: a swap entry (PM_SWAP | PM_GUARD_REGION)
    [32 * PG, "a100"], // present | file | exclusive
  ]);
  assert.equal(rows[0].pfn, anonPfn);
  assert.equal(rows[1].pfn, m.frames.zeroPfn);
  assert.equal(rows[2].entry, "440000000000009f"); // SWP_PTE_MARKER | PTE_MARKER_GUARD << 5
  const text = renderPagemap(rows, 33);
  assert.equal(text.length, 5);
  assert.match(text[0], /^7f0000000000 81000000[0-9a-f]{8} present exclusive pfn=0x/);
  assert.equal(text[4], "(29 of 33 pages read 0: not mapped)");
  // After fork the anonymous page is mapped twice: no longer exclusive.
  syscall(p, "fork", []);
  assert.equal(pagemapEntries(p, B, B + PG)[0].exclusive, false);
  // Without root the PFN bits read 0.
  const u = new Machine({ root: false }).init;
  map(u, B, PG, RW, ANON);
  cpuWrite(u, B, new Uint8Array([1]));
  assert.equal(pagemapEntries(u, B, B + PG)[0].entry, "8100000000000000");
});

Deno.test("pagemap: the whole user range costs what is mapped", () => {
  const m = new Machine();
  const p = m.init;
  const t0 = performance.now();
  const rows = pagemapEntries(p, 0, 0x7ffffffff000);
  assert.ok(performance.now() - t0 < HANG_MS);
  assert.equal(rows.length, 0); // the initial image has no page mapped yet
});
