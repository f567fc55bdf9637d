/**
 * Regular files keep their data on disk (lib/fs/disk.ts): a page-cache miss
 * reads the block (zeros for a hole), writeback (msync MS_SYNC) writes it
 * and cleans the page, reclaim may drop a clean page and the data comes
 * back on the next access; truncate and punch hole free blocks and zero
 * the partial block at an edge through the page cache (ext4, as seen on
 * Linux 6.18.44). shmem pages have no disk. The machine's invariants
 * (clean page == its block) hold after every step.
 */
import assert from "node:assert/strict";
import { checkInvariants, syscall } from "../../mod.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  MADV_PAGEOUT,
  MS_SYNC,
  O_CREAT,
  O_RDWR,
  O_TRUNC,
  PROT_READ,
} from "../../lib/abi/mman.ts";
import { PG_DIRTY, PG_UPTODATE } from "../../lib/phys/frames.ts";
import { FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE } from "../../lib/fs/syscalls.ts";
import type { Inode } from "../../lib/fs/inode.ts";
import { B, machine, map, open, peek, pread, pwrite, RW, SHARED, sys } from "./helpers.ts";

const PG = 4096;

function setup(name = "/tmp/d") {
  const { m, p } = machine();
  const fd = open(p, name, O_RDWR | O_CREAT | O_TRUNC);
  const inode = p.fds[fd]!.inode;
  return { m, p, fd, inode };
}

function ok(m: Parameters<typeof checkInvariants>[0]) {
  assert.deepEqual(checkInvariants(m), []);
}

function mincore(p: Parameters<typeof syscall>[0], addr: number, len: number): number[] {
  return [...syscall(p, "mincore", [BigInt(addr), BigInt(len)]).data!];
}

/** The dirty and uptodate bits of a cached page, or null. */
function pageState(m: { frames: { flags: Uint16Array } }, inode: Inode, index: number) {
  const pfn = inode.pages.get(index);
  if (pfn === undefined) return null;
  const f = m.frames.flags[pfn];
  return { dirty: (f & PG_DIRTY) !== 0, uptodate: (f & PG_UPTODATE) !== 0 };
}

Deno.test("disk: pwrite dirties the cache only; msync writes the blocks and cleans the pages", () => {
  const { m, p, fd, inode } = setup();
  assert.equal(pwrite(p, fd, "hello", 10), 5);
  assert.equal(inode.blocks!.count, 0, "nothing on disk before writeback");
  assert.deepEqual(pageState(m, inode, 0), { dirty: true, uptodate: true });
  map(p, B, PG, RW, SHARED, fd);
  assert.equal(sys(p, "msync", BigInt(B), BigInt(PG), MS_SYNC), 0);
  assert.deepEqual(pageState(m, inode, 0), { dirty: false, uptodate: true });
  assert.equal(inode.blocks!.count, 1);
  assert.equal(String.fromCharCode(...inode.blocks!.read(0)!.subarray(10, 15)), "hello");
  ok(m);
});

Deno.test("disk: a clean page dropped by MADV_PAGEOUT is read back from its block", () => {
  const { m, p, fd, inode } = setup();
  pwrite(p, fd, "paged", 0);
  map(p, B, PG, PROT_READ, SHARED, fd);
  sys(p, "msync", BigInt(B), BigInt(PG), MS_SYNC);
  assert.equal(peek(p, B, 5), "paged");
  const free = m.frames.freeCount;
  assert.equal(sys(p, "madvise", BigInt(B), BigInt(PG), MADV_PAGEOUT), 0);
  assert.deepEqual(mincore(p, B, PG), [0]);
  assert.equal(inode.pages.size, 0);
  assert.equal(m.frames.freeCount, free + 1, "the frame went back");
  ok(m);
  assert.equal(pread(p, fd, 5, 0), "paged");
  assert.equal(peek(p, B, 5), "paged");
  ok(m);
});

Deno.test("disk: a hole reads as zeros and allocates no block; host memory grows only with data", () => {
  const { m, p, fd, inode } = setup();
  assert.equal(sys(p, "ftruncate", fd, 64 * PG), 0);
  map(p, B, 64 * PG, RW, SHARED, fd);
  assert.equal(peek(p, B + 40 * PG, 4), "\0\0\0\0");
  assert.equal(sys(p, "msync", BigInt(B), BigInt(64 * PG), MS_SYNC), 0);
  assert.equal(inode.blocks!.count, 0, "clean hole pages are not written");
  pwrite(p, fd, "x", 3 * PG);
  sys(p, "msync", BigInt(B), BigInt(64 * PG), MS_SYNC);
  assert.deepEqual([inode.blocks!.count, inode.blocks!.bytes], [1, PG]);
  // A block written back as zeros is allocated but keeps no bytes.
  pwrite(p, fd, "\0", 3 * PG);
  sys(p, "msync", BigInt(B), BigInt(64 * PG), MS_SYNC);
  assert.deepEqual([inode.blocks!.count, inode.blocks!.bytes], [1, 0]);
  ok(m);
});

Deno.test("disk: a partial pwrite to an evicted page keeps the rest of the block", () => {
  const { m, p, fd, inode } = setup();
  pwrite(p, fd, "0123456789", 0);
  map(p, B, PG, PROT_READ, SHARED, fd);
  sys(p, "msync", BigInt(B), BigInt(PG), MS_SYNC);
  peek(p, B, 1);
  sys(p, "madvise", BigInt(B), BigInt(PG), MADV_PAGEOUT);
  assert.equal(inode.pages.size, 0);
  assert.equal(pwrite(p, fd, "ab", 3), 2);
  assert.equal(peek(p, B, 10), "012ab56789");
  ok(m);
});

Deno.test("disk: truncating an evicted page mid-block reads it in, zeroes the tail and dirties it", () => {
  const { m, p, fd, inode } = setup();
  pwrite(p, fd, "a", 0);
  pwrite(p, fd, "b".repeat(120), PG);
  map(p, B, 2 * PG, PROT_READ, SHARED, fd);
  sys(p, "msync", BigInt(B), BigInt(2 * PG), MS_SYNC);
  peek(p, B, 1);
  sys(p, "madvise", BigInt(B), BigInt(2 * PG), MADV_PAGEOUT);
  assert.deepEqual(mincore(p, B, 2 * PG), [0, 0]);
  assert.equal(sys(p, "ftruncate", fd, PG + 100), 0);
  // ext4_block_truncate_page(): cached again, not uptodate (mincore 0), dirty.
  assert.deepEqual(mincore(p, B, 2 * PG), [0, 0]);
  assert.deepEqual(pageState(m, inode, 1), { dirty: true, uptodate: false });
  assert.equal(peek(p, B + PG + 96, 8), "bbbb\0\0\0\0");
  assert.deepEqual(pageState(m, inode, 1), { dirty: true, uptodate: true });
  // The block past the new EOF is gone; growing again shows zeros.
  assert.equal(sys(p, "ftruncate", fd, 2 * PG), 0);
  assert.equal(peek(p, B + PG + 96, 8), "bbbb\0\0\0\0");
  ok(m);
});

Deno.test("disk: a hole's EOF block gets a page that is not uptodate when the file grows", () => {
  const { m, p, fd, inode } = setup();
  assert.equal(sys(p, "ftruncate", fd, PG + 100), 0);
  assert.equal(sys(p, "ftruncate", fd, 2 * PG), 0);
  // ext4 grabbed page 1 to zero its tail: a hole, so nothing else happened.
  assert.deepEqual(pageState(m, inode, 1), { dirty: false, uptodate: false });
  map(p, B, 2 * PG, PROT_READ, SHARED, fd);
  assert.deepEqual(mincore(p, B, 2 * PG), [0, 0]);
  peek(p, B, 1);
  // Read-around skipped the cached page, fault-around did not map it.
  assert.deepEqual(mincore(p, B, 2 * PG), [1, 0]);
  assert.equal(p.mm.pt.bitsAt(B / PG + 1), 0);
  ok(m);
});

Deno.test("disk: punch hole frees whole blocks and zeroes the partial ones", () => {
  const { m, p, fd, inode } = setup();
  pwrite(p, fd, "c".repeat(40), 0);
  pwrite(p, fd, "d".repeat(PG), PG);
  pwrite(p, fd, "e".repeat(40), 2 * PG);
  map(p, B, 3 * PG, PROT_READ, SHARED, fd);
  sys(p, "msync", BigInt(B), BigInt(3 * PG), MS_SYNC);
  assert.equal(inode.blocks!.count, 3);
  peek(p, B, 1);
  sys(p, "madvise", BigInt(B), BigInt(3 * PG), MADV_PAGEOUT);
  const mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  assert.equal(sys(p, "fallocate", fd, mode, 10, 2 * PG), 0);
  assert.deepEqual([...inode.blocks!.indices()].sort(), [0, 2], "block 1 freed");
  assert.equal(peek(p, B, 16), "c".repeat(10) + "\0".repeat(6));
  assert.equal(peek(p, B + PG, 4), "\0\0\0\0");
  assert.equal(peek(p, B + 2 * PG + 8, 4), "\0\0ee");
  ok(m);
});

Deno.test("disk: collapse and insert move blocks; the cache from the offset on is dropped", () => {
  const { m, p, fd, inode } = setup();
  for (let i = 0; i < 4; i++) pwrite(p, fd, "abcd"[i].repeat(4), i * PG);
  map(p, B, 4 * PG, PROT_READ, SHARED, fd);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, PG, PG), 0);
  assert.deepEqual([...inode.pages.keys()].sort(), [0], "pages from the offset on left");
  assert.deepEqual([peek(p, B, 4), peek(p, B + PG, 4), peek(p, B + 2 * PG, 4)], [
    "aaaa",
    "cccc",
    "dddd",
  ]);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_INSERT_RANGE, PG, PG), 0);
  assert.deepEqual([peek(p, B + PG, 4), peek(p, B + 2 * PG, 4)], ["\0\0\0\0", "cccc"]);
  ok(m);
});

Deno.test("disk: an unlinked file's blocks go with its last reference; shmem has no disk", () => {
  const { m, p, fd, inode } = setup("/tmp/gone");
  pwrite(p, fd, "x", 0);
  map(p, B, PG, PROT_READ, SHARED, fd);
  sys(p, "msync", BigInt(B), BigInt(PG), MS_SYNC);
  assert.equal(sys(p, "unlink", "/tmp/gone"), 0);
  assert.equal(inode.blocks!.count, 1, "still open and mapped");
  sys(p, "munmap", BigInt(B), BigInt(PG));
  sys(p, "close", fd);
  assert.equal(inode.blocks!.count, 0);
  const mfd = sys(p, "memfd_create", "m", 0);
  assert.equal(p.fds[mfd]!.inode.blocks, null);
  ok(m);
});
