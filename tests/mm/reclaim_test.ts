/**
 * MADV_PAGEOUT and MADV_COLD on file and anonymous pages (lib/mm/madvise.ts,
 * lib/mm/vmscan.ts), as seen on Linux 6.18.44 (no swap device): a clean
 * file page mapped once leaves the page cache; a dirty one is unmapped but
 * stays (PG_reclaim, which fault-around skips, until writeback); a page
 * mapped twice is not touched; a pinned page is unmapped but stays;
 * anonymous pages stay mapped, lose PG_referenced and are activated; a
 * clean shmem page goes, a dirty one stays. COLD clears the accessed bit
 * and PG_referenced and queues the deactivation.
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import {
  MADV_COLD,
  MADV_PAGEOUT,
  MADV_POPULATE_WRITE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MS_SYNC,
  O_CREAT,
  O_RDWR,
  O_TRUNC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  PG_ACTIVE,
  PG_DIRTY,
  PG_LRU_DEACTIVATE,
  PG_READAHEAD,
  PG_REFERENCED,
} from "../../lib/phys/frames.ts";
import { PTE_YOUNG } from "../../lib/mm/pagetable.ts";
import { pinUserPages, releaseUserPage } from "../../lib/mm/gup.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";

const B = 0x7f0000000000;
const PG = 4096;
const RW = PROT_READ | PROT_WRITE;

function machine(): { m: Machine; p: Process } {
  const m = new Machine();
  installStdio(m.init);
  return { m, p: m.init };
}

function sys(p: Process, name: string, ...args: unknown[]): number {
  return syscall(p, name, args).ret;
}

function mmap(p: Process, addr: number, len: number, prot: number, flags: number, fd = -1) {
  const r = sys(p, "mmap", BigInt(addr), BigInt(len), prot, flags | MAP_FIXED, fd, 0n);
  assert.equal(r, addr);
}

function madvise(p: Process, addr: number, len: number, advice: number): number {
  return sys(p, "madvise", BigInt(addr), BigInt(len), advice);
}

function mincore(p: Process, addr: number, len: number): number[] {
  return [...syscall(p, "mincore", [BigInt(addr), BigInt(len)]).data!];
}

function pfnAt(p: Process, addr: number): number {
  return p.mm.pt.pfnAt(addr / PG);
}

function mapped(p: Process, addr: number, pages: number): number {
  let n = 0;
  for (let i = 0; i < pages; i++) if (p.mm.pt.bitsAt(addr / PG + i) !== 0) n++;
  return n;
}

/** A file of `pages` pages holding "x" at the start of each, written back. */
function cleanFile(p: Process, pages: number, name = "/tmp/r"): number {
  const fd = sys(p, "open", name, O_RDWR | O_CREAT | O_TRUNC, 0o644);
  for (let i = 0; i < pages; i++) assert.equal(sys(p, "pwrite", fd, "x", 1, i * PG), 1);
  mmap(p, B + 0x10000000, pages * PG, PROT_READ, MAP_SHARED, fd);
  assert.equal(sys(p, "msync", BigInt(B + 0x10000000), BigInt(pages * PG), MS_SYNC), 0);
  assert.equal(sys(p, "munmap", BigInt(B + 0x10000000), BigInt(pages * PG)), 0);
  return fd;
}

Deno.test("pageout: a clean file page mapped once leaves the cache; one mapped twice stays", () => {
  const { m, p } = machine();
  const fd = cleanFile(p, 2);
  const inode = p.fds[fd]!.inode;
  mmap(p, B, 2 * PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  const c = m.process(sys(p, "fork"))!;
  mmap(c, B + 0x100000, PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(c, B + 0x100000, 1); // page 0 is mapped twice now (child's own mapping)
  assert.equal(madvise(p, B, 2 * PG, MADV_PAGEOUT), 0);
  assert.deepEqual(mincore(p, B, 2 * PG), [1, 0]);
  assert.deepEqual([...inode.pages.keys()], [0]);
  assert.equal(mapped(p, B, 2), 1);
  assert.equal(String.fromCharCode(cpuRead(p, B + PG, 1).bytes![0]), "x", "read back from disk");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("pageout: a dirty file page is unmapped, stays cached with PG_reclaim until writeback", () => {
  const { m, p } = machine();
  const fd = cleanFile(p, 16);
  const inode = p.fds[fd]!.inode;
  assert.equal(sys(p, "pwrite", fd, "d", 1, 5 * PG), 1);
  mmap(p, B, 16 * PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  assert.equal(mapped(p, B, 16), 16);
  const pfn = inode.pages.get(5)!;
  assert.equal(madvise(p, B + 5 * PG, PG, MADV_PAGEOUT), 0);
  assert.equal(mapped(p, B, 16), 15);
  assert.equal(inode.pages.get(5), pfn);
  const f = m.frames.flags[pfn];
  assert.ok((f & PG_DIRTY) && (f & PG_READAHEAD) && (f & PG_ACTIVE));
  // PG_reclaim is PG_readahead: a new mapping's fault-around skips the page.
  sys(p, "munmap", BigInt(B), BigInt(16 * PG));
  mmap(p, B, 16 * PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  assert.equal(mapped(p, B, 16), 15);
  // Writeback ends PG_reclaim.
  assert.equal(sys(p, "msync", BigInt(B), BigInt(16 * PG), MS_SYNC), 0);
  assert.equal(m.frames.flags[pfn] & (PG_DIRTY | PG_READAHEAD), 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("pageout: a pinned clean file page is unmapped but kept", () => {
  const { m, p } = machine();
  const fd = cleanFile(p, 1);
  mmap(p, B, PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  const pin = pinUserPages(p.mm, B, 1, 0);
  assert.equal(pin.pages.length, 1);
  assert.equal(madvise(p, B, PG, MADV_PAGEOUT), 0);
  assert.equal(mapped(p, B, 1), 0);
  assert.deepEqual(mincore(p, B, PG), [1]);
  assert.deepEqual(checkInvariants(m), []);
  releaseUserPage(p.mm, pin.pages[0]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("pageout: anonymous pages stay mapped, lose PG_referenced and are activated", () => {
  const { m, p } = machine();
  mmap(p, B, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE);
  const pfn = pfnAt(p, B);
  assert.ok(m.frames.flags[pfn] & PG_REFERENCED, "populate marked it accessed");
  assert.equal(madvise(p, B, 4 * PG, MADV_PAGEOUT), 0);
  assert.equal(mapped(p, B, 4), 4);
  assert.ok(p.mm.pt.bitsAt(B / PG) & PTE_YOUNG, "PAGEOUT leaves the accessed bit");
  assert.equal(m.frames.flags[pfn] & (PG_REFERENCED | PG_ACTIVE), PG_ACTIVE);
  // Active now: populating twice leaves it referenced (checked on 6.18.44).
  madvise(p, B, 4 * PG, MADV_POPULATE_WRITE);
  madvise(p, B, 4 * PG, MADV_POPULATE_WRITE);
  assert.ok(m.frames.flags[pfn] & PG_REFERENCED);
});

Deno.test("pageout: a clean shmem page goes, a dirty one stays unmapped", () => {
  const { m, p } = machine();
  const fd = sys(p, "memfd_create", "s", 0);
  sys(p, "ftruncate", fd, 2 * PG);
  mmap(p, B, 2 * PG, RW, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  cpuWrite(p, B + PG, new Uint8Array([7]));
  assert.equal(madvise(p, B, 2 * PG, MADV_PAGEOUT), 0);
  assert.deepEqual(mincore(p, B, 2 * PG), [0, 1]);
  assert.equal(mapped(p, B, 2), 0);
  assert.equal(cpuRead(p, B + PG, 1).bytes![0], 7);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("cold: clears the accessed bit and PG_referenced; an active page's deactivation waits for a drain", () => {
  const { m, p } = machine();
  mmap(p, B, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE);
  const pfn = pfnAt(p, B);
  madvise(p, B, 4 * PG, MADV_POPULATE_WRITE); // second touch: active, not referenced
  assert.equal(m.frames.flags[pfn] & (PG_REFERENCED | PG_ACTIVE), PG_ACTIVE);
  assert.equal(madvise(p, B, 4 * PG, MADV_COLD), 0);
  assert.equal(p.mm.pt.bitsAt(B / PG) & PTE_YOUNG, 0);
  assert.ok(m.frames.flags[pfn] & PG_LRU_DEACTIVATE, "queued on the lru_deactivate batch");
  assert.deepEqual(checkInvariants(m), []);
  // POPULATE marks it referenced, then drains: the deactivation clears it
  // again (seen on 6.18.44: Referenced 0 kB right after).
  madvise(p, B, 4 * PG, MADV_POPULATE_WRITE);
  assert.equal(m.frames.flags[pfn] & (PG_REFERENCED | PG_ACTIVE | PG_LRU_DEACTIVATE), 0);
  assert.equal(m.lruDeactivate.length, 0);
});

Deno.test("cold: a page mapped twice is left alone", () => {
  const { m, p } = machine();
  const fd = cleanFile(p, 1);
  mmap(p, B, PG, PROT_READ, MAP_SHARED, fd);
  mmap(p, B + 0x100000, PG, PROT_READ, MAP_SHARED, fd);
  cpuRead(p, B, 1);
  cpuRead(p, B + 0x100000, 1);
  assert.equal(madvise(p, B, PG, MADV_COLD), 0);
  assert.ok(p.mm.pt.bitsAt(B / PG) & PTE_YOUNG);
  sys(p, "munmap", BigInt(B + 0x100000), BigInt(PG));
  assert.equal(madvise(p, B, PG, MADV_COLD), 0);
  assert.equal(p.mm.pt.bitsAt(B / PG) & PTE_YOUNG, 0);
  assert.equal(m.frames.flags[pfnAt(p, B)] & PG_REFERENCED, 0);
});
