/** fork(2): linux-mm.md §8. */
import assert from "node:assert/strict";
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages } from "../../lib/mm/gup.ts";
import { checkInvariants, cpuRead, cpuWrite, Machine, mapsLines, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { PG_ANON_EXCLUSIVE } from "../../lib/phys/frames.ts";
import { VM_DONTCOPY, VM_WIPEONFORK } from "../../lib/mm/vm_flags.ts";
import { smapsVmFlags } from "./helpers.ts";

const B = 0x7f0000000000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const vpn = Number(B) / 4096;

function forked(flags = ANON, len = 0x1000n) {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, len, RW, flags, -1, 0]);
  cpuWrite(p, B, new Uint8Array([0x50]));
  const c = m.process(syscall(p, "fork", []).ret)!;
  return { m, p, c };
}

Deno.test("fork: the child shares private pages copy-on-write, read-only on both sides (K1)", () => {
  const { m, p, c } = forked();
  const pfn = p.mm.pt.pfnAt(vpn);
  assert.equal(c.mm.pt.pfnAt(vpn), pfn);
  assert.equal(m.frames.mapcount[pfn], 2);
  assert.equal(m.frames.flags[pfn] & PG_ANON_EXCLUSIVE, 0);
  assert.deepEqual([...cpuRead(c, B, 1).bytes!], [0x50]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fork: child write copies; parent then reuses its page in place (K1, p_fork)", () => {
  const { m, p, c } = forked();
  const pfn = p.mm.pt.pfnAt(vpn);
  cpuWrite(c, B, new Uint8Array([0x43]));
  assert.notEqual(c.mm.pt.pfnAt(vpn), pfn);
  cpuWrite(p, B, new Uint8Array([0x50]));
  assert.equal(p.mm.pt.pfnAt(vpn), pfn, "parent reuses: the child already COWed");
  assert.deepEqual([...cpuRead(p, B, 1).bytes!], [0x50]);
  assert.deepEqual([...cpuRead(c, B, 1).bytes!], [0x43]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fork: parent write while the child maps the page copies; after the child exits it reuses", () => {
  const a = forked();
  const pfn = a.p.mm.pt.pfnAt(vpn);
  cpuWrite(a.p, B, new Uint8Array([1]));
  assert.notEqual(a.p.mm.pt.pfnAt(vpn), pfn);
  const b = forked();
  const pfn2 = b.p.mm.pt.pfnAt(vpn);
  syscall(b.c, "exit", [0]);
  cpuWrite(b.p, B, new Uint8Array([1]));
  assert.equal(b.p.mm.pt.pfnAt(vpn), pfn2);
});

Deno.test("fork: MADV_DONTFORK VMAs are absent in the child; WIPEONFORK come over empty (K2, K3)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x1000n, RW, ANON, -1, 0]);
  syscall(p, "mmap", [B + 0x10000n, 0x1000n, RW, ANON, -1, 0]);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + 0x10000n, new Uint8Array([2]));
  // Flip the flags directly: madvise is tested on its own.
  p.mm.vmas.lookup(Number(B))!.flags += VM_DONTCOPY;
  p.mm.vmas.lookup(Number(B) + 0x10000)!.flags += VM_WIPEONFORK;
  const c = m.process(syscall(p, "fork", []).ret)!;
  assert.ok(!mapsLines(c).some((l) => l.startsWith("7f0000000000")));
  assert.equal(cpuRead(c, B, 1).sig?.code, 1);
  assert.deepEqual([...cpuRead(c, B + 0x10000n, 1).bytes!], [0]);
  assert.deepEqual([...cpuRead(p, B + 0x10000n, 1).bytes!], [2]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fork: shared mappings stay shared; their page tables are not copied (K4)", () => {
  const { m, p, c } = forked(MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(c.mm.pt.bitsAt(vpn), 0, "no PTE copied");
  assert.deepEqual([...cpuRead(c, B, 1).bytes!], [0x50]);
  cpuWrite(c, B, new Uint8Array([0x51]));
  assert.deepEqual([...cpuRead(p, B, 1).bytes!], [0x51]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fork: mlock is not inherited (p_fork_mlock)", () => {
  const { c } = forked(ANON | MAP_LOCKED);
  assert.equal(smapsVmFlags(c, Number(B)), "rd wr mr mw me ac ");
});

Deno.test("fork: a DMA-pinned exclusive page is copied for the child at fork (K5); cow-steal before 5.9", () => {
  for (const policy of ["early-copy", "cow-steal"] as const) {
    const m = new Machine({ policies: { "fork.pinnedPages": policy } });
    const p = m.init;
    syscall(p, "mmap", [B, 0x2000n, RW, ANON, -1, 0]);
    cpuWrite(p, B, new Uint8Array([1]));
    cpuWrite(p, B + 0x1000n, new Uint8Array([2]));
    // pin_user_pages(FOLL_PIN|FOLL_LONGTERM) of page 0.
    const pinned = p.mm.pt.pfnAt(vpn);
    const pin = pinUserPages(p.mm, Number(B), 1, FOLL_WRITE | FOLL_LONGTERM);
    assert.equal(pin.pages[0].pfn, pinned);
    assert.equal(m.frames.refcount[pinned], 1025);
    assert.ok(p.mm.hasPinned);
    const c = m.process(syscall(p, "fork", []).ret)!;
    if (policy === "early-copy") {
      assert.notEqual(c.mm.pt.pfnAt(vpn), pinned, "child got a copy");
      assert.equal(c.mm.pt.pfnAt(vpn + 1), p.mm.pt.pfnAt(vpn + 1), "unpinned neighbour shared");
      cpuWrite(p, B, new Uint8Array([3]));
      assert.equal(p.mm.pt.pfnAt(vpn), pinned, "parent keeps the pinned page");
    } else {
      assert.equal(c.mm.pt.pfnAt(vpn), pinned);
      cpuWrite(p, B, new Uint8Array([3]));
      assert.notEqual(p.mm.pt.pfnAt(vpn), pinned, "the parent's write moved it off the DMA page");
    }
    assert.deepEqual([...cpuRead(c, B, 1).bytes!], [1]);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("fork: exit of every process frees every page", () => {
  const { m, p, c } = forked(ANON, 0x4000n);
  const free0 = new Machine().frames.freeCount;
  cpuWrite(c, B + 0x1000n, new Uint8Array([9]));
  syscall(c, "exit", [0]);
  syscall(p, "exit", [0]);
  assert.equal(m.frames.freeCount, free0);
});
