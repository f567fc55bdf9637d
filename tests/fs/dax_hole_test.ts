/**
 * A read fault on a hole of a DAX file maps the shared zero page and
 * allocates nothing (fs/dax.c dax_fault_iter -> dax_load_hole); the first
 * write (a write fault through ->pfn_mkwrite, or write(2)) allocates the
 * block and unmaps the zero page from every mapping (dax_insert_entry,
 * dax_iomap_iter); a private write fault copies into an anonymous page and
 * allocates nothing (dax_fault_cow_page).
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import {
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_WRITE } from "../../lib/mm/pagetable.ts";
import { renderSmapsEntry, smapsEntries } from "../../lib/proc/smaps.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function file(p: Process, pages: number): number {
  const fd = syscall(p, "open", ["/mnt/pmem/f", O_RDWR | O_CREAT, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, pages * 4096]).ret, 0);
  return fd;
}

function map(p: Process, fd: number, flags: number): number {
  return syscall(p, "mmap", [0, 4096, PROT_READ | PROT_WRITE, flags, fd, 0]).ret;
}

function rss(p: Process, a: number): string {
  const e = smapsEntries(p).find((x) => x.vma.start === a)!;
  return renderSmapsEntry(e).find((l) => l.startsWith("Rss:"))!;
}

Deno.test("dax hole: a read maps the zero page read-only, special; no block; Rss 0", () => {
  const m = new Machine({ pmemBytes: 16 << 20 });
  const p = m.init;
  const a = map(p, file(p, 1), MAP_SHARED);
  const free = m.pmem!.blocks.freeCount;
  assert.deepEqual([...cpuRead(p, a, 4).bytes!], [0, 0, 0, 0]);
  const bits = p.mm.pt.bitsAt(a / 4096);
  assert.equal(p.mm.pt.pfnAt(a / 4096), m.frames.zeroPfn);
  assert.ok(bits & PTE_PRESENT && bits & PTE_SPECIAL && !(bits & PTE_WRITE));
  assert.equal(m.pmem!.blocks.freeCount, free);
  assert.equal(rss(p, a), "Rss:                   0 kB");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax hole: a write replaces the zero page in every mapping with one new block", () => {
  const m = new Machine({ pmemBytes: 16 << 20 });
  const p = m.init;
  const fd = file(p, 1);
  const a = map(p, fd, MAP_SHARED);
  const child = m.process(syscall(p, "fork", []).ret)!;
  const b = map(child, fd, MAP_PRIVATE);
  cpuRead(p, a, 1);
  cpuRead(child, b, 1);
  assert.equal(child.mm.pt.pfnAt(b / 4096), m.frames.zeroPfn);
  const free = m.pmem!.blocks.freeCount;
  cpuWrite(p, a, enc("dax"));
  assert.equal(m.pmem!.blocks.freeCount, free - 1);
  const pfn = p.mm.pt.pfnAt(a / 4096);
  assert.notEqual(pfn, m.frames.zeroPfn);
  assert.ok(p.mm.pt.bitsAt(a / 4096) & PTE_WRITE);
  // The private mapping's zero page went too: its next read sees the block.
  assert.equal(child.mm.pt.bitsAt(b / 4096), 0);
  assert.equal(new TextDecoder().decode(cpuRead(child, b, 3).bytes), "dax");
  assert.equal(child.mm.pt.pfnAt(b / 4096), pfn);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax hole: write(2) into a hole unmaps the zero page a read fault mapped", () => {
  const m = new Machine({ pmemBytes: 16 << 20 });
  const p = m.init;
  const fd = file(p, 1);
  const a = map(p, fd, MAP_SHARED);
  cpuRead(p, a, 1);
  assert.equal(syscall(p, "pwrite", [fd, "via write", 9, 0]).ret, 9);
  assert.equal(p.mm.pt.bitsAt(a / 4096), 0);
  assert.equal(new TextDecoder().decode(cpuRead(p, a, 9).bytes), "via write");
});

Deno.test("dax hole: a private write fault copies into an anonymous page, no block", () => {
  const m = new Machine({ pmemBytes: 16 << 20 });
  const p = m.init;
  const b = map(p, file(p, 1), MAP_PRIVATE);
  const free = m.pmem!.blocks.freeCount;
  cpuWrite(p, b, enc("mine"));
  assert.equal(m.pmem!.blocks.freeCount, free);
  const pfn = p.mm.pt.pfnAt(b / 4096);
  assert.ok(!m.pmem!.blocks.contains(pfn) && pfn !== m.frames.zeroPfn);
  assert.deepEqual(checkInvariants(m), []);
});
