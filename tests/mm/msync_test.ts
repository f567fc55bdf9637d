/** msync(2): mm/msync.c, checked on 6.18.44. */
import assert from "node:assert/strict";
import { cpuWrite, Machine, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  MS_ASYNC,
  MS_INVALIDATE,
  MS_SYNC,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EBUSY, EINVAL, ENOMEM } from "../../lib/abi/errno.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE } from "../../lib/mm/pagetable.ts";
import { PG_DIRTY } from "../../lib/phys/frames.ts";

const B = 0x7f0000000000n;
const PG = 0x1000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function setup() {
  const m = new Machine();
  const p = m.init;
  assert.equal(syscall(p, "mmap", [B, 2n * PG, RW, ANON, -1, 0]).ret, Number(B));
  return { m, p };
}

function msync(p: Process, addr: bigint, len: bigint, flags: number): number {
  return syscall(p, "msync", [addr, len, flags]).ret;
}

function mmap(p: Process, addr: bigint, len: bigint, prot: number, flags: number, fd = -1) {
  assert.equal(syscall(p, "mmap", [addr, len, prot, flags, fd, 0]).ret, Number(addr));
}

Deno.test("msync: check order — flags, alignment, ASYNC|SYNC, then the length", () => {
  const { p } = setup();
  assert.equal(msync(p, B, PG, 8), -EINVAL);
  assert.equal(msync(p, B + 1n, PG, 8), -EINVAL);
  assert.equal(msync(p, B, PG, -1), -EINVAL);
  assert.equal(msync(p, B + 1n, PG, MS_SYNC), -EINVAL);
  assert.equal(msync(p, B + 1n, PG, MS_SYNC | MS_ASYNC), -EINVAL);
  assert.equal(msync(p, B, PG, MS_SYNC | MS_ASYNC), -EINVAL);
  assert.equal(msync(p, B, -0x1000n, MS_SYNC | MS_ASYNC), -EINVAL); // before the wrap check
  assert.equal(msync(p, B, -0x1000n, MS_SYNC), -ENOMEM); // start + len wraps
  assert.equal(msync(p, B, -1n, MS_SYNC), 0); // PAGE_ALIGN wraps to 0: an empty range
  assert.equal(msync(p, B + 8n * PG, 0n, MS_SYNC), 0);
  assert.equal(msync(p, B, PG, 0), 0);
  assert.equal(msync(p, B, 2n * PG, MS_SYNC), 0); // anonymous: nothing to do
  assert.equal(msync(p, B, 2n * PG, MS_ASYNC), 0);
  assert.equal(msync(p, B, 2n * PG, MS_INVALIDATE), 0);
  assert.equal(msync(p, 0xffff800000000000n, PG, MS_SYNC), -ENOMEM);
});

Deno.test("msync: unmapped ranges are ENOMEM; MS_INVALIDATE on mlocked memory is EBUSY", () => {
  const { p } = setup();
  for (const f of [MS_SYNC, MS_ASYNC, 0, MS_ASYNC | MS_INVALIDATE]) {
    assert.equal(msync(p, B + 8n * PG, PG, f), -ENOMEM);
  }
  assert.equal(msync(p, B, 3n * PG, MS_ASYNC), -ENOMEM); // tail hole
  assert.equal(msync(p, B, 3n * PG, MS_SYNC), -ENOMEM);
  mmap(p, B + 3n * PG, PG, PROT_READ, ANON | MAP_LOCKED);
  assert.equal(msync(p, B, 4n * PG, MS_ASYNC), -ENOMEM); // middle hole
  assert.equal(msync(p, B, 4n * PG, MS_SYNC), -ENOMEM);
  assert.equal(msync(p, B + 2n * PG, 2n * PG, 0), -ENOMEM); // start in the hole
  assert.equal(msync(p, B + 3n * PG, PG, MS_INVALIDATE), -EBUSY);
  assert.equal(msync(p, B + 3n * PG, PG, MS_SYNC), 0);
  assert.equal(msync(p, B, 4n * PG, MS_INVALIDATE), -EBUSY); // beats the hole's ENOMEM
  assert.equal(msync(p, B + 2n * PG, 2n * PG, MS_ASYNC | MS_INVALIDATE), -EBUSY);
  assert.equal(msync(p, B + 2n * PG, 2n * PG, MS_ASYNC), -ENOMEM); // stops at the hole
});

Deno.test("msync(MS_SYNC) on a shared file mapping writes back: clean pages, write-protected PTEs", () => {
  const { m, p } = setup();
  const inode = m.fs.create("/tmp/f", 0x3000);
  const fd = p.allocFd(m.openInode(inode, O_RDWR));
  mmap(p, B + 8n * PG, 3n * PG, RW, MAP_SHARED | MAP_FIXED, fd);
  cpuWrite(p, B + 8n * PG, new Uint8Array([1]));
  cpuWrite(p, B + 9n * PG, new Uint8Array([2]));
  const pfn0 = inode.pages.get(0)!, pfn1 = inode.pages.get(1)!;
  assert.equal(m.frames.flags[pfn0] & PG_DIRTY, PG_DIRTY);
  const vpn0 = Number(B + 8n * PG) / 4096;
  assert.equal(p.mm.pt.bitsAt(vpn0) & (PTE_WRITE | PTE_DIRTY), PTE_WRITE | PTE_DIRTY);
  // MS_ASYNC does nothing; MS_SYNC on the first page only.
  assert.equal(msync(p, B + 8n * PG, 3n * PG, MS_ASYNC), 0);
  assert.equal(m.frames.flags[pfn0] & PG_DIRTY, PG_DIRTY);
  assert.equal(msync(p, B + 8n * PG, PG, MS_SYNC), 0);
  assert.equal(m.frames.flags[pfn0] & PG_DIRTY, 0);
  assert.equal(m.frames.flags[pfn1] & PG_DIRTY, PG_DIRTY);
  assert.equal(p.mm.pt.bitsAt(vpn0) & (PTE_PRESENT | PTE_WRITE | PTE_DIRTY), PTE_PRESENT);
  // The data is unchanged; the next write faults and dirties the page again.
  cpuWrite(p, B + 8n * PG + 1n, new Uint8Array([3]));
  assert.equal(m.frames.readByte(pfn0, 0), 1);
  assert.equal(m.frames.flags[pfn0] & PG_DIRTY, PG_DIRTY);
  assert.equal(p.mm.pt.bitsAt(vpn0) & PTE_WRITE, PTE_WRITE);
  // A hole after the file mapping: synced, then ENOMEM.
  assert.equal(msync(p, B + 8n * PG, 4n * PG, MS_SYNC), -ENOMEM);
  assert.equal(m.frames.flags[pfn1] & PG_DIRTY, 0);
});

Deno.test("msync(MS_SYNC) on shared anonymous memory (shmem) changes nothing", () => {
  const { m, p } = setup();
  mmap(p, B + 8n * PG, PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  cpuWrite(p, B + 8n * PG, new Uint8Array([1]));
  const inode = p.mm.vmas.lookup(Number(B + 8n * PG))!.file!.inode;
  const pfn = inode.pages.get(0)!;
  const before = m.frames.flags[pfn];
  assert.equal(msync(p, B + 8n * PG, PG, MS_SYNC), 0);
  assert.equal(m.frames.flags[pfn], before);
});

Deno.test("msync(MS_SYNC): ext4 writeback zeroes the EOF page's tail past i_size in the page cache", () => {
  const { m, p } = setup();
  const inode = m.fs.create("/tmp/f", 11);
  const fd = p.allocFd(m.openInode(inode, O_RDWR));
  mmap(p, B + 8n * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd);
  cpuWrite(p, B + 8n * PG, new TextEncoder().encode("hello world"));
  cpuWrite(p, B + 8n * PG + 11n, new TextEncoder().encode("XYZ")); // past EOF
  const pfn = inode.pages.get(0)!;
  assert.equal(m.frames.readByte(pfn, 11), 0x58);
  assert.equal(msync(p, B + 8n * PG, PG, MS_SYNC), 0);
  assert.equal(m.frames.readByte(pfn, 10), 0x64); // "d" stays
  assert.equal(m.frames.readByte(pfn, 11), 0); // the tail is gone
});
