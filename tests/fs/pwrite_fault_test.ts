/**
 * pwrite whose source buffer faults: ->write_begin comes before the copy
 * (6.18's generic_perform_write no longer faults the source in first), so
 * the page (an ext4 large folio sized by the write) is cached and dirty,
 * and ->write_end moves i_size up to the offset even with nothing copied.
 * Found by the differential fuzzer (repl/host/fuzz.ts); checked with
 * mincore and smaps on 6.18.44.
 */
import assert from "node:assert/strict";
import { checkInvariants, syscall } from "../../mod.ts";
import { MAP_ANONYMOUS, O_CREAT, O_RDWR, O_TRUNC, PROT_READ } from "../../lib/abi/mman.ts";
import { EFAULT } from "../../lib/abi/errno.ts";
import { B, machine, map, open, PRIVATE, RW, SHARED, sys } from "./helpers.ts";

const UNMAPPED = 0x7f0000100000;

function size(p: Parameters<typeof sys>[0], fd: number): number {
  // lseek is not modelled: the inode's size, through the fd table.
  return p.fds[fd]!.inode.size;
}

function mincore(p: Parameters<typeof sys>[0], addr: number, len: number): number[] {
  return [...syscall(p, "mincore", [BigInt(addr), BigInt(len)]).data!];
}

Deno.test("pwrite from an unmapped buffer: EFAULT, but i_size grows to the offset and the page is cached", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  assert.equal(sys(p, "pwrite", fd, BigInt(UNMAPPED), 100, 12441), -EFAULT);
  assert.equal(size(p, fd), 12441);
  assert.equal(sys(p, "pwrite", fd, BigInt(UNMAPPED), 100, 100), -EFAULT);
  assert.equal(size(p, fd), 12441, "a write inside the file does not shrink it");
  map(p, B, 0x4000, PROT_READ, SHARED, fd);
  assert.deepEqual(mincore(p, B, 0x4000), [1, 0, 0, 1]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("pwrite: the folio write_begin makes has the write's order (ext4 large folios)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  const b = 0x7f0000020000;
  map(p, b, 0x1000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(sys(p, "pwrite", fd, BigInt(b), 8192, 0), 4096);
  assert.equal(sys(p, "pwrite", fd, BigInt(b + 4000), 16384, 32768), 96);
  assert.equal(sys(p, "pwrite", fd, BigInt(UNMAPPED), 32768, 65536), -EFAULT);
  map(p, B, 0x20000, PROT_READ, SHARED, fd);
  assert.deepEqual(
    mincore(p, B, 0x20000).join(""),
    "11000000111100001111111100000000",
  );
});

Deno.test("pwrite from a mapping of the same file past EOF: the grown i_size lets the copy succeed", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT | O_TRUNC);
  map(p, B + 0x1000, 0x5000, PROT_READ, SHARED, fd);
  assert.equal(sys(p, "pwrite", fd, BigInt(B + 0x1000), 4096, 7880), 4096);
  assert.equal(size(p, fd), 7880 + 4096);
});
