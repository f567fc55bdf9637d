/**
 * Policy mm.zeroPage: a read fault on private anonymous memory maps the
 * shared zero page ("map", Linux on x86) or, where mm_forbids_zeropage()
 * holds ("forbid"), allocates a fresh zeroed page, as mm/memory.c
 * do_anonymous_page() does. Every path that faults a page in for reading
 * (the CPU, MAP_POPULATE, MADV_POPULATE_READ, mlock, GUP) goes through it.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  Machine,
  pageLines,
  type Process,
  smapsLines,
  syscall,
} from "../../mod.ts";
import {
  MADV_POPULATE_READ,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_POPULATE,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { PTE_DIRTY, PTE_SPECIAL, PTE_WRITE } from "../../lib/mm/pagetable.ts";
import { PG_ANON_EXCLUSIVE } from "../../lib/phys/frames.ts";
import { getUserPages } from "../../lib/mm/gup.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const RW = PROT_READ | PROT_WRITE;
const vpn = Number(B) / 4096;

function machine(zeroPage: "map" | "forbid") {
  const m = new Machine({ policies: { "mm.zeroPage": zeroPage } });
  return { m, p: m.init };
}

/** The Rss line of the VMA at B, in kB. */
function rss(p: Process): number {
  const lines = smapsLines(p);
  const at = lines.findIndex((l) => l.startsWith(B.toString(16) + "-"));
  assert.ok(at >= 0, "no VMA at B");
  const l = lines.slice(at + 1).find((x) => x.startsWith("Rss:"))!;
  return Number(/(\d+) kB/.exec(l)![1]);
}

/** The KIND column of the pages view at B. */
function kind(p: Process, page = 0): string {
  const a = B + BigInt(page * 4096);
  const row = pageLines(p, a, a + 0x1000n)[1].trim().split(/\s+/);
  return row[row.length - 2];
}

Deno.test("zero page: the default maps the zero page on a read; Rss stays 0", () => {
  const { m, p } = machine("map");
  assert.equal(m.policy("mm.zeroPage"), "map");
  assert.equal(new Machine().policy("mm.zeroPage"), "map");
  syscall(p, "mmap", [B, 0x2000n, RW, ANON, -1, 0]);
  const free0 = m.frames.freeCount;
  assert.deepEqual([...cpuRead(p, B, 4).bytes!], [0, 0, 0, 0]);
  assert.equal(p.mm.pt.pfnAt(vpn), m.frames.zeroPfn);
  assert.ok(p.mm.pt.bitsAt(vpn) & PTE_SPECIAL);
  assert.equal(m.frames.freeCount, free0);
  assert.equal(rss(p), 0);
  assert.equal(kind(p), "zero");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("zero page: forbid allocates a zeroed page on a read, writable and dirty in a RW VMA", () => {
  const { m, p } = machine("forbid");
  syscall(p, "mmap", [B, 0x2000n, RW, ANON, -1, 0]);
  const free0 = m.frames.freeCount;
  assert.deepEqual([...cpuRead(p, B, 4).bytes!], [0, 0, 0, 0]);
  const pfn = p.mm.pt.pfnAt(vpn);
  assert.notEqual(pfn, m.frames.zeroPfn);
  const bits = p.mm.pt.bitsAt(vpn);
  assert.equal(bits & PTE_SPECIAL, 0);
  assert.ok(bits & PTE_WRITE);
  assert.ok(bits & PTE_DIRTY);
  assert.equal(m.frames.freeCount, free0 - 1);
  assert.equal(m.frames.refcount[pfn], 1);
  assert.equal(m.frames.mapcount[pfn], 1);
  assert.ok(m.frames.flags[pfn] & PG_ANON_EXCLUSIVE);
  assert.equal(rss(p), 4);
  assert.equal(kind(p), "anon");
  assert.equal(kind(p, 1), "-");
  // The write that follows reuses the page: no copy.
  cpuWrite(p, B, new Uint8Array([7]));
  assert.equal(p.mm.pt.pfnAt(vpn), pfn);
  assert.equal(m.frames.freeCount, free0 - 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("zero page: forbid in a read-only VMA maps a clean read-only page", () => {
  const { m, p } = machine("forbid");
  syscall(p, "mmap", [B, 0x1000n, PROT_READ, ANON, -1, 0]);
  cpuRead(p, B, 1);
  const bits = p.mm.pt.bitsAt(vpn);
  assert.equal(bits & (PTE_WRITE | PTE_DIRTY | PTE_SPECIAL), 0);
  assert.equal(rss(p), 4);
  const lines = smapsLines(p);
  const at = lines.findIndex((l) => l.startsWith(B.toString(16) + "-"));
  assert.ok(lines.slice(at).some((l) => /^Private_Clean:\s+4 kB/.test(l)));
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("zero page: MAP_POPULATE and MADV_POPULATE_READ of a read-only mapping follow the knob", () => {
  for (const [mode, want] of [["map", 0], ["forbid", 16]] as const) {
    const { m, p } = machine(mode);
    syscall(p, "mmap", [B, 0x4000n, PROT_READ, ANON | MAP_POPULATE, -1, 0]);
    assert.equal(rss(p), want, `MAP_POPULATE, ${mode}`);
    syscall(p, "munmap", [B, 0x4000n]);
    syscall(p, "mmap", [B, 0x4000n, RW, ANON, -1, 0]);
    assert.equal(syscall(p, "madvise", [B, 0x4000n, MADV_POPULATE_READ]).ret, 0);
    assert.equal(rss(p), want, `MADV_POPULATE_READ, ${mode}`);
    assert.equal(kind(p, 3), mode === "map" ? "zero" : "anon");
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("zero page: mlock of a read-only mapping populates zero pages or fresh ones", () => {
  for (const [mode, want] of [["map", 0], ["forbid", 8]] as const) {
    const { m, p } = machine(mode);
    syscall(p, "mmap", [B, 0x2000n, PROT_READ, ANON, -1, 0]);
    assert.equal(syscall(p, "mlock", [B, 0x2000n]).ret, 0);
    assert.equal(rss(p), want, mode);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("zero page: a GUP read takes no reference on the zero page, one on a forbid page", () => {
  for (const mode of ["map", "forbid"] as const) {
    const { m, p } = machine(mode);
    syscall(p, "mmap", [B, 0x1000n, RW, ANON, -1, 0]);
    const r = getUserPages(p.mm, Number(B), 1, 0);
    assert.equal(r.err, 0);
    const pfn = r.pages[0].pfn;
    if (mode === "map") assert.equal(pfn, m.frames.zeroPfn);
    else {
      assert.notEqual(pfn, m.frames.zeroPfn);
      assert.equal(m.frames.refcount[pfn], 2); // the mapping's and GUP's
    }
  }
});

Deno.test("zero page: fork shares a forbid page copy-on-write; a zero-page-only VMA copies no PTEs", () => {
  for (const mode of ["map", "forbid"] as const) {
    const { m, p } = machine(mode);
    syscall(p, "mmap", [B, 0x1000n, RW, ANON, -1, 0]);
    cpuRead(p, B, 1);
    const pfn = p.mm.pt.pfnAt(vpn);
    const c = m.process(syscall(p, "fork", []).ret)!;
    if (mode === "map") {
      // vma_needs_copy(): a read fault made no anon_vma, so fork copies no
      // page table; the child's own read maps the zero page again.
      assert.equal(pfn, m.frames.zeroPfn);
      assert.equal(c.mm.pt.bitsAt(vpn), 0);
      cpuRead(c, B, 1);
      assert.equal(c.mm.pt.pfnAt(vpn), m.frames.zeroPfn);
    } else {
      assert.equal(c.mm.pt.pfnAt(vpn), pfn);
      assert.equal(m.frames.mapcount[pfn], 2);
      assert.equal(m.frames.refcount[pfn], 2);
      assert.equal(p.mm.pt.bitsAt(vpn) & PTE_WRITE, 0, "write-protected in the parent");
      assert.equal(m.frames.flags[pfn] & PG_ANON_EXCLUSIVE, 0);
    }
    // The child's write gets its own page either way; the parent still reads zeros.
    const free0 = m.frames.freeCount;
    cpuWrite(c, B, new Uint8Array([9]));
    assert.notEqual(c.mm.pt.pfnAt(vpn), pfn);
    assert.equal(m.frames.freeCount, free0 - 1);
    assert.deepEqual([...cpuRead(p, B, 1).bytes!], [0]);
    assert.deepEqual([...cpuRead(c, B, 1).bytes!], [9]);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("zero page: the knob is a policy: set at run time, refused values named", () => {
  const m = new Machine();
  assert.equal(m.setPolicy("mm.zeroPage", "forbid"), null);
  assert.equal(m.policy("mm.zeroPage"), "forbid");
  assert.match(m.setPolicy("mm.zeroPage", "never")!, /takes map, forbid/);
  // Every era has the zero page: it is a host property, not a kernel version.
  assert.equal(new Machine({ preset: "linux-4.14" }).policy("mm.zeroPage"), "map");
});
