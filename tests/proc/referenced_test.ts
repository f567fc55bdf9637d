/**
 * smaps Referenced counts a page whose PTE is young or which has
 * PG_referenced (fs/proc/task_mmu.c smaps_account). PG_referenced comes
 * from folio_mark_accessed() (lib/mm/swap.ts): GUP with FOLL_TOUCH
 * (MAP_POPULATE, mlock, MADV_POPULATE_*, get_user_pages but not
 * pin_user_pages), read(2), shmem writes, zapping a young PTE of a file
 * page. A fork child's PTEs are old, so its smaps shows PG_referenced
 * alone; the sequences below were checked that way on Linux 6.18.44.
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import {
  MADV_COLD,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  O_TRUNC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { PG_REFERENCED } from "../../lib/phys/frames.ts";
import { getUserPagesTouch, pinUserPages, releaseUserPage } from "../../lib/mm/gup.ts";
import { smapGatherStats } from "../../lib/proc/stats.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";

const B = 0x7f0000000000;
const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function machine(): { m: Machine; p: Process } {
  const m = new Machine();
  installStdio(m.init);
  return { m, p: m.init };
}

function sys(p: Process, name: string, ...args: unknown[]): number {
  return syscall(p, name, args).ret;
}

function mmap(p: Process, addr: number, len: number, prot: number, flags: number, fd = -1) {
  assert.equal(sys(p, "mmap", BigInt(addr), BigInt(len), prot, flags, fd, 0n), addr);
}

function madvise(p: Process, addr: number, len: number, advice: number) {
  assert.equal(sys(p, "madvise", BigInt(addr), BigInt(len), advice), 0);
}

/** smaps Referenced of the VMA at addr, in kB. */
function referencedKb(p: Process, addr: number): number {
  return smapGatherStats(p.mm.vmas.lookup(addr)!).referenced / 1024;
}

/** Referenced in a fork child (old PTEs: PG_referenced alone), the child then exits. */
function childReferencedKb(m: Machine, p: Process, addr: number): number {
  const c = m.process(sys(p, "fork"))!;
  const kb = referencedKb(c, addr);
  sys(c, "exit", 0);
  return kb;
}

Deno.test("referenced: populating toggles PG_referenced: once yes, twice no, three times yes, then stays", () => {
  const { m, p } = machine();
  const want = [16, 0, 16, 16, 16];
  for (let n = 1; n <= want.length; n++) {
    const a = B + n * 0x100000;
    mmap(p, a, 4 * PG, RW, ANON | MAP_POPULATE);
    for (let i = 1; i < n; i++) madvise(p, a, 4 * PG, MADV_POPULATE_WRITE);
    assert.equal(childReferencedKb(m, p, a), want[n - 1], `populated ${n} times`);
    assert.equal(referencedKb(p, a), 16, "the parent's PTEs are young");
  }
});

Deno.test("referenced: a page touched by the CPU only is not PG_referenced; mlock's populate sets it and keeps it", () => {
  const { m, p } = machine();
  mmap(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array(4 * PG).fill(1));
  assert.equal(childReferencedKb(m, p, B), 0);
  mmap(p, B + 0x100000, 4 * PG, RW, ANON);
  assert.equal(sys(p, "mlock", BigInt(B + 0x100000), BigInt(4 * PG)), 0);
  madvise(p, B + 0x100000, 4 * PG, MADV_POPULATE_WRITE); // unevictable: no activation
  assert.equal(childReferencedKb(m, p, B + 0x100000), 16);
});

Deno.test("referenced: MADV_COLD clears the accessed bit and PG_referenced", () => {
  const { m, p } = machine();
  mmap(p, B, 4 * PG, RW, ANON | MAP_POPULATE);
  madvise(p, B, 4 * PG, MADV_COLD);
  assert.equal(referencedKb(p, B), 0);
  assert.equal(childReferencedKb(m, p, B), 0);
});

Deno.test("referenced: read(2) marks the pages it copies from, not the page the last read ended in", () => {
  const { p } = machine();
  const fd = sys(p, "open", "/tmp/r", O_RDWR | O_CREAT | O_TRUNC, 0o644);
  sys(p, "pwrite", fd, "abcd", 4, 0);
  sys(p, "pwrite", fd, "abcd", 4, PG);
  mmap(p, B, 2 * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  cpuRead(p, B, 1);
  madvise(p, B, 2 * PG, MADV_COLD);
  assert.equal(referencedKb(p, B), 0);
  const read = (off: number) => syscall(p, "pread", [fd, "", 1, off]).ret;
  read(0);
  assert.equal(referencedKb(p, B), 4);
  read(0); // the previous read ended in this page: not marked again
  read(0);
  assert.equal(referencedKb(p, B), 4);
  // ext4's write_begin does not mark accessed; GUP with FOLL_TOUCH does.
  sys(p, "pwrite", fd, "x", 1, PG);
  assert.equal(referencedKb(p, B), 4);
  madvise(p, B, 2 * PG, MADV_COLD);
  madvise(p, B, 2 * PG, MADV_POPULATE_READ);
  assert.equal(referencedKb(p, B), 8);
});

Deno.test("referenced: unmapping a young PTE of a file page marks the page accessed (not with MADV_RANDOM)", () => {
  const { p } = machine();
  const fd = sys(p, "open", "/tmp/z", O_RDWR | O_CREAT | O_TRUNC, 0o644);
  sys(p, "pwrite", fd, "abcd", 4, 0);
  mmap(p, B, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  mmap(p, B + 0x100000, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  cpuRead(p, B, 1);
  cpuRead(p, B + 0x100000, 1);
  madvise(p, B, PG, MADV_COLD); // mapped twice: left alone
  assert.equal(referencedKb(p, B), 4);
  sys(p, "munmap", BigInt(B + 0x100000), BigInt(PG));
  madvise(p, B, PG, MADV_COLD);
  assert.equal(referencedKb(p, B), 0);
  mmap(p, B + 0x100000, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  cpuRead(p, B + 0x100000, 1);
  sys(p, "munmap", BigInt(B + 0x100000), BigInt(PG));
  assert.equal(referencedKb(p, B), 4, "zap_present_folio_ptes -> folio_mark_accessed");
  madvise(p, B, PG, MADV_COLD);
  mmap(p, B + 0x100000, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  madvise(p, B + 0x100000, PG, MADV_RANDOM); // no recency
  cpuRead(p, B + 0x100000, 1);
  sys(p, "munmap", BigInt(B + 0x100000), BigInt(PG));
  assert.equal(referencedKb(p, B), 0);
});

Deno.test("referenced: shmem writes mark the page; a read from the page's start marks it again", () => {
  const { p } = machine();
  const fd = sys(p, "memfd_create", "m", 0);
  sys(p, "pwrite", fd, "abcd", 4, 0);
  mmap(p, B, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  cpuRead(p, B, 1);
  madvise(p, B, PG, MADV_COLD);
  assert.equal(referencedKb(p, B), 0);
  sys(p, "pwrite", fd, "abcd", 4, 0);
  assert.equal(referencedKb(p, B), 4);
  syscall(p, "pread", [fd, "", 1, 0]); // second mark: activated, bit cleared
  assert.equal(referencedKb(p, B), 0);
});

Deno.test("referenced: get_user_pages marks the page (FOLL_TOUCH), pin_user_pages does not", () => {
  const { m, p } = machine();
  mmap(p, B, 2 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array(2 * PG).fill(1));
  const pin = pinUserPages(p.mm, B, 1, 0);
  assert.equal(m.frames.flags[pin.pages[0].pfn] & PG_REFERENCED, 0);
  const got = getUserPagesTouch(p.mm, B + PG, 1, 0);
  assert.ok(m.frames.flags[got.pages[0].pfn] & PG_REFERENCED);
  releaseUserPage(p.mm, pin.pages[0]);
  releaseUserPage(p.mm, got.pages[0]);
  // A freed frame loses the bit.
  const pfn = got.pages[0].pfn;
  sys(p, "munmap", BigInt(B), BigInt(2 * PG));
  assert.equal(m.frames.flags[pfn], 0);
});
