/**
 * Fixes made after the differential harness (repl/host/) showed the real
 * kernel (6.18.44) disagreeing; each names the conformance case that
 * found it (tests/conformance/*.mm).
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_32BIT,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_SYNC,
  O_CREAT,
  O_RDWR,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EACCES, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP } from "../../lib/abi/errno.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_YOUNG } from "../../lib/mm/pagetable.ts";
import { windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function mmap(
  m: Machine,
  addr: bigint,
  len: bigint,
  prot: number,
  flags: number,
  fd = -1,
  off = 0n,
) {
  return syscall(m.init, "mmap", [addr, len, prot, flags, fd, off]).ret;
}

function openFile(m: Machine, path = "/tmp/f"): number {
  return syscall(m.init, "open", [path, O_RDWR | O_CREAT, 0o644]).ret;
}

Deno.test("MAP_32BIT searches bottom-up in [1 GiB, 2 GiB) (mmap_32bit_low, mmap_32bit_too_big)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 2n << 30n, PROT_READ, ANON | MAP_32BIT), -ENOMEM);
  // A 2 MiB multiple goes through the THP padding, which shifts an aligned hit up by 2 MiB.
  assert.equal(mmap(m, 0n, 32n << 20n, PROT_NONE, ANON | MAP_32BIT), 0x40200000);
  assert.equal(mmap(m, 0n, 0x1000n, PROT_NONE, ANON | MAP_32BIT), 0x40000000);
  // A hint outside the 2 GiB window is not used; one inside it is.
  assert.equal(mmap(m, B, 0x1000n, PROT_NONE, ANON | MAP_32BIT), 0x40001000);
  assert.equal(mmap(m, 0x50000000n, 0x1000n, PROT_NONE, ANON | MAP_32BIT), 0x50000000);
  assert.equal(mmap(m, 0n, 0x2000n, PROT_NONE, ANON | MAP_32BIT), 0x40002000);
  // MAP_FIXED is not limited.
  assert.equal(mmap(m, B, 0x1000n, PROT_NONE, ANON | MAP_32BIT | MAP_FIXED), Number(B));
});

Deno.test("ext4 refuses MAP_SYNC (shared or private) with EOPNOTSUPP; MAP_FIXED leaves a gap (mmap_errno_19_map_sync_ext4)", () => {
  const m = new Machine();
  const fd = openFile(m);
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd), -EOPNOTSUPP);
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_SHARED | MAP_SYNC, fd), -EOPNOTSUPP);
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_PRIVATE | MAP_SYNC, fd), -EOPNOTSUPP);
  assert.equal(mmap(m, B, 0x2000n, PROT_READ | PROT_WRITE, ANON | MAP_FIXED), Number(B));
  const r = mmap(m, B, 0x1000n, PROT_READ, MAP_SHARED | MAP_SYNC | MAP_FIXED, fd);
  assert.equal(r, -EOPNOTSUPP);
  // The old page is gone (vms_abort_munmap_vmas leaves the gap); the rest stays.
  assert.deepEqual(windowMaps(m.init), ["7f0000001000-7f0000002000 rw-p 00000000 00:00 0 "]);
});

Deno.test("a read fault on a file maps the cached pages around it (fault-around; mincore_file_page_cache)", () => {
  const m = new Machine();
  const p = m.init;
  const fd = openFile(m);
  // Pages 1 and 3 of a 5-page file are in the page cache, the others are not.
  syscall(p, "pwrite", [fd, "cached", 6, 0x1000]);
  syscall(p, "pwrite", [fd, "too", 3, 0x3000]);
  syscall(p, "ftruncate", [fd, 0x5000]);
  assert.equal(mmap(m, B, 0x5000n, PROT_READ, MAP_SHARED | MAP_FIXED, fd), Number(B));
  assert.equal(cpuRead(p, B + 0x1000n, 1).sig, undefined);
  const present = (i: number) => (p.mm.pt.bitsAt(Number(B) / 4096 + i) & PTE_PRESENT) !== 0;
  assert.deepEqual([0, 1, 2, 3, 4].map(present), [false, true, false, true, false]);
  // A private mapping's read fault maps the cached pages too, read-only: a write still copies.
  assert.equal(
    mmap(m, B + 0x10000n, 0x5000n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd),
    Number(B) + 0x10000,
  );
  assert.equal(cpuRead(p, B + 0x13000n, 1).sig, undefined);
  assert.ok(present(0x11) && present(0x13));
  assert.equal(cpuWrite(p, B + 0x11000n, new Uint8Array([0x43])).sig, undefined);
  const back = syscall(p, "pread", [fd, new Uint8Array(1), 1, 0x1000]);
  assert.deepEqual([...back.data!], [0x63]); // 'c': the file is unchanged
});

Deno.test("fault-around stays inside the VMA, the 64 KiB window and EOF", () => {
  const m = new Machine();
  const p = m.init;
  const fd = openFile(m);
  for (let i = 0; i < 40; i++) syscall(p, "pwrite", [fd, "x", 1, i * 0x1000]);
  // 20 pages of the file mapped from page 2, at 16 pages past a 64 KiB boundary.
  const at = B + 0x10000n;
  assert.equal(mmap(m, at, 0x14000n, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0x2000n), Number(at));
  assert.equal(cpuRead(p, at + 0x11000n, 1).sig, undefined); // page 17 of the VMA
  const mapped: number[] = [];
  for (let i = 0; i < 20; i++) {
    if (p.mm.pt.bitsAt(Number(at) / 4096 + i) & PTE_PRESENT) mapped.push(i);
  }
  // The window is [16, 32) of the VMA, cut at its end (20 pages).
  assert.deepEqual(mapped, [16, 17, 18, 19]);
  // Past EOF nothing is mapped around a fault either.
  syscall(p, "ftruncate", [fd, 0x3000]);
  assert.equal(mmap(m, B, 0x8000n, PROT_READ, MAP_SHARED | MAP_FIXED, fd), Number(B));
  assert.equal(cpuRead(p, B, 1).sig, undefined);
  const first: number[] = [];
  for (let i = 0; i < 8; i++) {
    if (p.mm.pt.bitsAt(Number(B) / 4096 + i) & PTE_PRESENT) first.push(i);
  }
  assert.deepEqual(first, [0, 1, 2]);
});

Deno.test("hints below the LSM mmap_min_addr (64 KiB) are raised to it; MAP_FIXED below it works for root (mmap_low_hint_rounded_to_min)", () => {
  const m = new Machine();
  assert.equal(m.sysctl.mmapMinAddr, 4096);
  assert.ok(mmap(m, 0x800n, 0x1000n, PROT_READ, ANON) > 0x7f0000000000); // rounds to NULL: top-down
  assert.equal(mmap(m, 0x1000n, 0x1000n, PROT_READ, ANON), 0x10000);
  assert.ok(mmap(m, 0x8000n, 0x1000n, PROT_READ, ANON) > 0x7f0000000000); // 0x10000 is taken
  assert.equal(mmap(m, 0x20000n, 0x1000n, PROT_READ, ANON), 0x20000);
  assert.equal(mmap(m, 0x1000n, 0x1000n, PROT_READ, ANON | MAP_FIXED), 0x1000);
  assert.equal(mmap(m, 0x2000n, 0x1000n, PROT_READ, ANON | MAP_FIXED_NOREPLACE), 0x2000);
});

Deno.test("mmap of a directory or the terminal is ENODEV: no ->mmap (file_mmap_directory)", () => {
  const m = new Machine();
  const d = syscall(m.init, "open", ["/tmp", 0]).ret;
  assert.ok(d >= 0);
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_PRIVATE, d), -ENODEV);
  // Earlier checks still win: a writable shared mapping of an O_RDONLY fd is EACCES.
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ | PROT_WRITE, MAP_SHARED, d), -EACCES);
  assert.equal(mmap(m, 0n, 0n, PROT_READ, MAP_PRIVATE, d), -EINVAL);
  // fd 0 is the terminal.
  assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_SHARED, 0), -ENODEV);
});

Deno.test("accesses through a present PTE set its accessed bit, writes its dirty bit (fault_accessed_bit_reread, fault_dirty_bit_rewrite)", () => {
  const m = new Machine();
  const p = m.init;
  assert.equal(mmap(m, B, 0x2000n, PROT_READ | PROT_WRITE, ANON | MAP_FIXED), Number(B));
  assert.equal(cpuWrite(p, B, new Uint8Array([1])).sig, undefined);
  assert.equal(cpuWrite(p, B + 0x1000n, new Uint8Array([1])).sig, undefined);
  const vpn = Number(B) / 4096;
  // As MADV_COLD / MADV_FREE leave them: old and clean, still present and writable.
  for (const v of [vpn, vpn + 1]) {
    p.mm.pt.set(v, p.mm.pt.pfnAt(v), p.mm.pt.bitsAt(v) & ~(PTE_YOUNG | PTE_DIRTY));
  }
  assert.equal(cpuRead(p, B, 1).sig, undefined);
  assert.equal(p.mm.pt.bitsAt(vpn) & (PTE_YOUNG | PTE_DIRTY), PTE_YOUNG);
  assert.equal(cpuWrite(p, B + 0x1000n, new Uint8Array([2])).sig, undefined);
  assert.equal(p.mm.pt.bitsAt(vpn + 1) & (PTE_YOUNG | PTE_DIRTY), PTE_YOUNG | PTE_DIRTY);
});
