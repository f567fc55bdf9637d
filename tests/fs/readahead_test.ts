/**
 * Readahead (lib/mm/readahead.ts) with this project's disk (ra_pages 2048,
 * io_pages 1024), each window as mincore showed it on Linux 6.18.44:
 * mmap read-around, the PROT_EXEC window, MADV_SEQUENTIAL/RANDOM,
 * MADV_WILLNEED's cap, the PG_readahead marker that fault-around skips and
 * that starts the next window (large folios), read(2)'s sync readahead,
 * and MMAP_LOTSAMISS.
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, type Process, syscall } from "../../mod.ts";
import {
  MADV_HUGEPAGE,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  O_TRUNC,
  PROT_EXEC,
  PROT_READ,
} from "../../lib/abi/mman.ts";
import { PG_READAHEAD } from "../../lib/phys/frames.ts";
import { MMAP_LOTSAMISS } from "../../lib/mm/readahead.ts";
import type { Inode } from "../../lib/fs/inode.ts";
import { B, machine, map, open, sys } from "./helpers.ts";

const PG = 4096;
const MAP = 32 << 20; // a 32 MiB sparse file: 8192 pages

function bigFile(pages = MAP / PG) {
  const { m, p } = machine();
  const fd = open(p, "/tmp/big", O_RDWR | O_CREAT | O_TRUNC);
  assert.equal(sys(p, "ftruncate", fd, pages * PG), 0);
  return { m, p, fd, inode: p.fds[fd]!.inode };
}

/** The cached page indexes of [from, to) as runs "a-b". */
function runs(inode: Inode, from = 0, to = Infinity): string[] {
  const idx = [...inode.pages.keys()].filter((i) => i >= from && i < to).sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    out.push(`${idx[i]}-${idx[j] + 1}`);
    i = j + 1;
  }
  return out;
}

function marked(m: { frames: { flags: Uint16Array } }, inode: Inode): number[] {
  return [...inode.pages].filter(([, pfn]) => m.frames.flags[pfn] & PG_READAHEAD)
    .map(([i]) => i).sort((a, b) => a - b);
}

function rssPages(p: Process, addr: number, pages: number): number {
  let n = 0;
  for (let i = 0; i < pages; i++) if (p.mm.pt.bitsAt(addr / PG + i) !== 0) n++;
  return n;
}

Deno.test("readahead: a read fault reads ra_pages centred on it; the marker 512 before the end", () => {
  const { m, p, fd, inode } = bigFile();
  map(p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(cpuRead(p, B + 4096 * PG, 1).sig, undefined);
  assert.deepEqual(runs(inode), ["3072-5120"]);
  assert.deepEqual(marked(m, inode), [4608]);
  assert.equal(rssPages(p, B + 4096 * PG, 16), 16, "the retried fault maps the window around");
  // Near the start the window is clipped at 0; near EOF, at EOF (no marker then).
  const q = bigFile(3000);
  map(q.p, B, 3000 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, q.fd);
  cpuRead(q.p, B + 10 * PG, 1);
  assert.deepEqual(runs(q.inode), ["0-2048"]);
  assert.deepEqual(marked(q.m, q.inode), [1536]);
  cpuRead(q.p, B + 2990 * PG, 1);
  assert.deepEqual(runs(q.inode), ["0-3000"]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("readahead: fault-around skips the marker; touching it reads the next window in large folios", () => {
  const { m, p, fd, inode } = bigFile();
  map(p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  cpuRead(p, B + 4096 * PG, 1);
  cpuRead(p, B + 4610 * PG, 1);
  assert.equal(rssPages(p, B + 4608 * PG, 16), 15, "4608 carries PG_readahead");
  cpuRead(p, B + 4608 * PG, 1);
  // page_cache_async_ra(): the expected marker, so the next window follows.
  assert.deepEqual(runs(inode), ["3072-7168"]);
  assert.deepEqual(marked(m, inode), [5120, 5121, 5122, 5123], "an order-2 folio");
  cpuRead(p, B + 5125 * PG, 1);
  assert.equal(rssPages(p, B + 5120 * PG, 16), 12, "the marked folio is skipped whole");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("readahead: PROT_EXEC reads forward from the fault, within the VMA, without marker", () => {
  const { m, p, fd, inode } = bigFile();
  map(p, B, 4 << 20, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 4 << 20);
  cpuRead(p, B + 512 * PG, 1);
  assert.deepEqual(runs(inode), ["1536-2048"]);
  assert.deepEqual(marked(m, inode), []);
  const q = bigFile();
  map(q.p, B, MAP, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, q.fd);
  cpuRead(q.p, B + 4096 * PG, 1);
  assert.deepEqual(runs(q.inode), ["4096-6144"]);
});

Deno.test("readahead: MADV_SEQUENTIAL reads ahead only, MADV_RANDOM just the page", () => {
  const { p, fd, inode } = bigFile();
  map(p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(sys(p, "madvise", BigInt(B), BigInt(MAP), MADV_SEQUENTIAL), 0);
  cpuRead(p, B + 4096 * PG, 1);
  assert.deepEqual(runs(inode), ["4096-6144"]);
  cpuRead(p, B, 1); // page 0: a new stream of get_init_ra_size()
  assert.deepEqual(runs(inode), ["0-2048", "4096-6144"]);
  const q = bigFile();
  map(q.p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, q.fd);
  assert.equal(sys(q.p, "madvise", BigInt(B), BigInt(MAP), MADV_RANDOM), 0);
  cpuRead(q.p, B + 4096 * PG, 1);
  assert.deepEqual(runs(q.inode), ["4096-4097"]);
});

Deno.test("readahead: MADV_WILLNEED reads the range, at most max(io_pages, ra_pages)", () => {
  const { p, fd, inode } = bigFile();
  map(p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(sys(p, "madvise", BigInt(B + 100 * PG), BigInt(MAP - 100 * PG), MADV_WILLNEED), 0);
  assert.deepEqual(runs(inode), ["100-2148"]);
  assert.equal(sys(p, "madvise", BigInt(B + 5000 * PG), BigInt(3 * PG), MADV_WILLNEED), 0);
  assert.deepEqual(runs(inode, 4000), ["5000-5003"]);
  assert.equal(rssPages(p, B + 100 * PG, 16), 0, "nothing mapped");
});

Deno.test("readahead: MADV_HUGEPAGE reads two PMD-sized folios from the aligned index", () => {
  const { m, p, fd, inode } = bigFile(2048);
  map(p, B, 8 << 20, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(sys(p, "madvise", BigInt(B), BigInt(8 << 20), MADV_HUGEPAGE), 0);
  cpuRead(p, B + 600 * PG, 1);
  assert.deepEqual(runs(inode), ["512-1536"]);
  assert.equal(marked(m, inode).length, 512, "the second folio carries the marker");
});

Deno.test("readahead: read(2) starts with get_init_ra_size() and ramps up at the marker", () => {
  const { p, fd, inode } = bigFile(256);
  const read = (off: number, n: number) => syscall(p, "pread", [fd, "", n, off]).ret;
  assert.equal(read(0, 1), 1);
  assert.deepEqual(runs(inode), ["0-4"]); // 4 pages, marker on page 1
  assert.equal(read(PG, 1), 1);
  assert.deepEqual(runs(inode), ["0-20"]); // the next window, 16 pages
  // A small read far away reads just what it asks.
  assert.equal(read(200 * PG, 100), 100);
  assert.deepEqual(runs(inode, 100), ["200-201"]);
  // Right after it, a sequential miss starts a window.
  assert.equal(read(201 * PG, 2 * PG), 2 * PG);
  assert.deepEqual(runs(inode, 100), ["200-209"]);
});

Deno.test("readahead: past MMAP_LOTSAMISS misses a fault reads just its page", () => {
  const { p, fd, inode } = bigFile();
  map(p, B, MAP, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  const vma = p.mm.vmas.lookup(B)!;
  vma.file!.ra.mmapMiss = MMAP_LOTSAMISS;
  cpuRead(p, B + 4096 * PG, 1);
  assert.deepEqual(runs(inode), ["4096-4097"]);
  // The retried fault's fault-around found the page: one miss made up for.
  assert.equal(vma.file!.ra.mmapMiss, MMAP_LOTSAMISS);
});
