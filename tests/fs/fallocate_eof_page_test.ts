/**
 * fallocate(2) mode 0 growing an ext4 file to a size that ends mid-page:
 * ext4_alloc_file_blocks() zeroes the partial blocks of [old size, new
 * size) through the cache, which grabs the new EOF page and leaves it not
 * uptodate (nothing to zero in an unwritten block). Read-around then stops
 * before it and a fault on it reads it alone (seen on Linux 6.18.44;
 * tests/conformance/file_fallocate_eof_page_not_uptodate.mm).
 */
import assert from "node:assert/strict";
import { checkInvariants, syscall } from "../../mod.ts";
import { FALLOC_FL_KEEP_SIZE, O_CREAT, O_RDWR, O_TRUNC, PROT_READ } from "../../lib/abi/mman.ts";
import { PG_UPTODATE } from "../../lib/phys/frames.ts";
import { B, machine, map, open, peek, SHARED, sys } from "./helpers.ts";

const PG = 4096;

function mincore(p: Parameters<typeof syscall>[0], addr: number, len: number): number[] {
  return [...syscall(p, "mincore", [BigInt(addr), BigInt(len)]).data!];
}

Deno.test("fallocate to a mid-page size: the EOF page is cached, not uptodate; read-around stops before it", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  const inode = p.fds[fd]!.inode;
  assert.equal(sys(p, "fallocate", fd, 0, 6010, 3 * PG), 0); // i_size 18298
  const pfn = inode.pages.get(4);
  assert.notEqual(pfn, undefined);
  assert.equal(m.frames.flags[pfn!] & PG_UPTODATE, 0);
  assert.deepEqual([...inode.pages.keys()], [4]);
  map(p, B, 8 * PG, PROT_READ, SHARED, fd);
  assert.deepEqual(mincore(p, B, 5 * PG), [0, 0, 0, 0, 0]);
  peek(p, B + PG, 1);
  assert.deepEqual(mincore(p, B, 5 * PG), [1, 1, 1, 1, 0]);
  assert.equal(peek(p, B + 4 * PG, 1), "\0"); // filemap_read_folio() on the fault
  assert.deepEqual(mincore(p, B, 5 * PG), [1, 1, 1, 1, 1]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fallocate to a page-aligned size, or KEEP_SIZE, caches nothing", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  const inode = p.fds[fd]!.inode;
  assert.equal(sys(p, "fallocate", fd, 0, 6010, 10374), 0); // i_size 16K
  assert.equal(inode.pages.size, 0);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_KEEP_SIZE, 0, 18298), 0);
  assert.equal(inode.pages.size, 0);
});
