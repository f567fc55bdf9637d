/**
 * ext4 large folios in the page cache (6.18.44): a multi-page pwrite makes
 * one folio, a write fault maps it whole (finish_fault), and truncating
 * part of it unmaps the whole folio, keeping a dirty one cached whole and
 * splitting a clean one (truncate_inode_partial_folio). Host-checked in
 * tests/conformance/fault_file_write_maps_large_folio.mm and
 * file_punch_partial_large_folio.mm.
 */
import assert from "node:assert/strict";
import { checkInvariants } from "../../mod.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  MS_SYNC,
  O_CREAT,
  O_RDWR,
  O_TRUNC,
} from "../../lib/abi/mman.ts";
import { PTE_DIRTY, PTE_PRESENT } from "../../lib/mm/pagetable.ts";
import { B, fillFile, machine, map, open, peek, poke, RW, SHARED, sys } from "../fs/helpers.ts";

const PG = 4096;

function mapped(p: ReturnType<typeof machine>["p"], from: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (p.mm.pt.bitsAt((from + i * PG) / PG) & PTE_PRESENT) out.push(i);
  }
  return out;
}

Deno.test("a write fault maps the 16K folio a 16K pwrite made, every PTE dirty", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  fillFile(p, fd, "a", 4 * PG, 4 * PG);
  const inode = p.fds[fd]!.inode;
  assert.equal(m.frames.order[inode.pages.get(5)!], 2);
  map(p, B, 16 * PG, RW, SHARED, fd);
  poke(p, B + 5 * PG, "x");
  assert.deepEqual(mapped(p, B, 16), [4, 5, 6, 7]);
  for (let i = 4; i < 8; i++) assert.ok(p.mm.pt.bitsAt(B / PG + i) & PTE_DIRTY);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("punching part of a dirty large folio unmaps it all and keeps it cached; a clean one is split", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  fillFile(p, fd, "a", 4 * PG, 4 * PG);
  const inode = p.fds[fd]!.inode;
  map(p, B, 16 * PG, RW, SHARED, fd);
  peek(p, B, 1);
  assert.deepEqual(mapped(p, B, 16), [0, 1, 2, 3, 4, 5, 6, 7]);
  const hole = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  assert.equal(sys(p, "fallocate", fd, hole, 5 * PG, PG), 0);
  assert.deepEqual(mapped(p, B, 16), [0, 1, 2, 3]);
  assert.ok(inode.pages.has(5));
  assert.equal(peek(p, B + 5 * PG, 2), "\0\0");
  // Clean now: the next punch splits the folio and page 6 leaves the cache.
  assert.equal(sys(p, "msync", BigInt(B), BigInt(16 * PG), MS_SYNC), 0);
  assert.equal(sys(p, "fallocate", fd, hole, 6 * PG, PG), 0);
  assert.ok(!inode.pages.has(6));
  assert.equal(m.frames.order[inode.pages.get(7)!], 0);
  poke(p, B + 7 * PG, "y");
  assert.ok(!(p.mm.pt.bitsAt(B / PG + 4) & PTE_PRESENT)); // page 7 alone
  assert.deepEqual(checkInvariants(m), []);
});
