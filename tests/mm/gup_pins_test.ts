/**
 * GUP and pins by era (devices.md §0.3 and its errata): the 1024 bias and
 * the nr_foll_pin_* counters from 5.7, the zero page left unpinned from
 * 6.5, check_vma_flags()'s order, long-term write pins of shared files.
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  FOLL_ANON,
  FOLL_LONGTERM,
  FOLL_WRITE,
  getUserPages,
  pageMaybeDmaPinned,
  pinUserPages,
  unpinUserPages,
} from "../../lib/mm/gup.ts";
import { EFAULT, ENOMEM } from "../../lib/abi/errno.ts";
import { canDoMlock, pinnedVmAdd, pinnedVmSub } from "../../lib/mm/accounting.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const RW = PROT_READ | PROT_WRITE;

function machine(preset: string) {
  const m = new Machine({ preset });
  const p = m.init;
  syscall(p, "mmap", [B, 0x4000n, RW, ANON, -1, 0]);
  return { m, p };
}

Deno.test("gup: pinning the zero page takes nothing from 6.5; before, the bias and a count", () => {
  for (
    const [preset, ref, acquired] of [["linux-6.18", "none", 0], ["linux-6.4", "pin", 1]] as const
  ) {
    const { m, p } = machine(preset);
    const r = pinUserPages(p.mm, Number(B), 1, 0);
    assert.equal(r.err, 0);
    assert.equal(r.pages[0].pfn, m.frames.zeroPfn, "a read pin faults in the zero page");
    assert.equal(r.pages[0].ref, ref, preset);
    assert.equal(m.vmstat.follPinAcquired, acquired, preset);
    assert.ok(p.mm.hasPinned, "MMF_HAS_PINNED either way");
    assert.deepEqual(checkInvariants(m), []);
    unpinUserPages(p.mm, r.pages);
    assert.equal(m.vmstat.follPinReleased, acquired);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("gup: a read-only long-term pin in a COW mapping unshares the zero page (6.2+)", () => {
  const { m, p } = machine("linux-6.18");
  const r = pinUserPages(p.mm, Number(B), 1, FOLL_LONGTERM);
  assert.notEqual(r.pages[0].pfn, m.frames.zeroPfn);
  assert.equal(p.mm.pt.pfnAt(Number(B) / 4096), r.pages[0].pfn, "mapped where it was pinned");
  assert.equal(m.frames.refcount[r.pages[0].pfn], 1025);
  assert.deepEqual(checkInvariants(m), []);
  // 6.1 pins the zero page itself (and a later write COWs away from it).
  const old = machine("linux-6.1");
  const o = pinUserPages(old.p.mm, Number(B), 1, FOLL_LONGTERM);
  assert.equal(o.pages[0].pfn, old.m.frames.zeroPfn);
  unpinUserPages(old.p.mm, o.pages);
  assert.deepEqual(checkInvariants(old.m), []);
});

Deno.test("gup: FOLL_PIN is a plain reference before 5.7: no bias, no counters, never maybe-pinned", () => {
  const { m, p } = machine("linux-5.6");
  cpuWrite(p, B, new Uint8Array([1]));
  const r = pinUserPages(p.mm, Number(B), 1, FOLL_WRITE | FOLL_LONGTERM);
  const pfn = r.pages[0].pfn;
  assert.equal(r.pages[0].ref, "get");
  assert.equal(m.frames.refcount[pfn], 2);
  assert.equal(m.frames.pincount[pfn], 0);
  assert.ok(!pageMaybeDmaPinned(m.frames, pfn));
  assert.equal(m.vmstat.follPinAcquired, 0);
  assert.deepEqual(checkInvariants(m), []);
  unpinUserPages(p.mm, r.pages);
  assert.equal(m.frames.refcount[pfn], 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gup: counters move by one per page; 1024 plain references look pinned (false positive)", () => {
  const { m, p } = machine("linux-6.18");
  cpuWrite(p, B, new Uint8Array(0x4000).fill(1));
  const r = pinUserPages(p.mm, Number(B), 3, FOLL_WRITE);
  assert.equal(m.vmstat.follPinAcquired, 3);
  assert.ok(r.pages.every((pg) => pageMaybeDmaPinned(m.frames, pg.pfn)));
  unpinUserPages(p.mm, r.pages.slice(0, 2));
  assert.equal(m.vmstat.follPinReleased, 2);
  assert.deepEqual(checkInvariants(m), []);
  const gets = [];
  for (let i = 0; i < 1023; i++) gets.push(...getUserPages(p.mm, Number(B) + 0x3000, 1, 0).pages);
  const pfn = gets[0].pfn;
  assert.equal(m.frames.pincount[pfn], 0);
  assert.ok(pageMaybeDmaPinned(m.frames, pfn), "refcount 1024: page_maybe_dma_pinned() says yes");
  assert.deepEqual(checkInvariants(m), []);
  unpinUserPages(p.mm, gets);
  unpinUserPages(p.mm, r.pages.slice(2));
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gup: a reference outlives munmap; the last put frees the frame", () => {
  const { m, p } = machine("linux-6.18");
  cpuWrite(p, B, new Uint8Array([5]));
  const free = m.frames.freeCount;
  const r = pinUserPages(p.mm, Number(B), 1, FOLL_WRITE);
  syscall(p, "munmap", [B, 0x4000n]);
  assert.equal(m.frames.refcount[r.pages[0].pfn], 1024);
  assert.deepEqual(checkInvariants(m), []);
  unpinUserPages(p.mm, r.pages);
  assert.equal(m.frames.freeCount, free + 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gup: check_vma_flags order: FOLL_ANON on a file; long-term write pins of a shared ext4 file", () => {
  for (const [preset, err] of [["linux-6.18", -EFAULT], ["linux-6.4", 0]] as const) {
    const m = new Machine({ preset });
    const p = m.init;
    const fd = syscall(p, "open", ["/tmp/f", O_RDWR | O_CREAT, 0o644]).ret;
    syscall(p, "ftruncate", [fd, 0x2000]);
    const a = syscall(p, "mmap", [0, 0x2000, RW, MAP_SHARED, fd, 0]).ret;
    assert.equal(getUserPages(p.mm, a, 1, FOLL_ANON).err, -EFAULT);
    const r = pinUserPages(p.mm, a, 1, FOLL_WRITE | FOLL_LONGTERM);
    assert.equal(r.err, err, preset);
    // A short-term write pin (O_DIRECT) of the same mapping is fine.
    const s = pinUserPages(p.mm, a, 1, FOLL_WRITE);
    assert.equal(s.err, 0);
    unpinUserPages(p.mm, [...r.pages, ...s.pages]);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("pinned_vm: a driver's count against RLIMIT_MEMLOCK (ib_umem_get order); root is exempt", () => {
  const m = new Machine({ root: false });
  const p = m.init;
  p.mm.rlimits.memlock = 0;
  assert.equal(canDoMlock(p.mm), false, "ib_umem_get: -EPERM first");
  p.mm.rlimits.memlock = 8 * 4096;
  assert.equal(pinnedVmAdd(p.mm, 8), 0);
  assert.equal(pinnedVmAdd(p.mm, 1), -ENOMEM);
  assert.equal(p.mm.pinnedVm, 8, "a refused charge is taken back");
  pinnedVmSub(p.mm, 8);
  assert.equal(p.mm.pinnedVm, 0);
  const r = new Machine();
  r.init.mm.rlimits.memlock = 0;
  assert.ok(canDoMlock(r.init.mm));
  assert.equal(pinnedVmAdd(r.init.mm, 1 << 20), 0, "CAP_IPC_LOCK");
});
