/** get_user_pages / pin_user_pages: mm/gup.c semantics and their interplay with fork. */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  FOLL_FORCE,
  FOLL_LONGTERM,
  FOLL_WRITE,
  getUserPages,
  pinUserPages,
  releaseUserPage,
} from "../../lib/mm/gup.ts";
import { EFAULT } from "../../lib/abi/errno.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

Deno.test("gup: FOLL_PIN adds the 1024 bias and a pin; unpin gives both back", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x2000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  const r = pinUserPages(p.mm, Number(B), 2, FOLL_WRITE | FOLL_LONGTERM);
  assert.equal(r.err, 0);
  assert.equal(r.pages.length, 2);
  const pfn = r.pages[0].pfn;
  assert.equal(m.frames.refcount[pfn], 1025);
  assert.equal(m.frames.pincount[pfn], 1);
  assert.ok(m.frames.maybeDmaPinned(pfn));
  assert.ok(p.mm.hasPinned);
  assert.deepEqual(checkInvariants(m), []);
  for (const pg of r.pages) releaseUserPage(p.mm, pg);
  assert.equal(m.frames.refcount[pfn], 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gup: VM_IO/PFNMAP, unmapped and read-only-for-write are EFAULT; FOLL_FORCE writes a COW mapping", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x1000n, PROT_READ, ANON, -1, 0]);
  assert.equal(getUserPages(p.mm, 0x7ffff7fc2000, 1, 0).err, -EFAULT); // [vvar]
  assert.equal(getUserPages(p.mm, Number(B) + 0x10000, 1, 0).err, -EFAULT);
  assert.equal(getUserPages(p.mm, Number(B), 1, FOLL_WRITE).err, -EFAULT);
  const forced = getUserPages(p.mm, Number(B), 1, FOLL_WRITE | FOLL_FORCE);
  assert.equal(forced.err, 0);
  assert.notEqual(
    forced.pages[0].pfn,
    m.frames.zeroPfn,
    "a forced write breaks COW from the zero page",
  );
});

Deno.test("gup: a short range returns what it got; the error shows only when nothing was taken", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x2000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  const r = getUserPages(p.mm, Number(B), 4, FOLL_WRITE);
  assert.equal(r.err, 0);
  assert.equal(r.pages.length, 2);
});

Deno.test("gup: pinning a page shared COW with a child unshares it first (PG_anon_exclusive, 5.19+)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x1000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  cpuWrite(p, B, new Uint8Array([7]));
  const c = m.process(syscall(p, "fork", []).ret)!;
  const shared = p.mm.pt.pfnAt(Number(B) / 4096);
  const r = pinUserPages(p.mm, Number(B), 1, FOLL_LONGTERM);
  assert.notEqual(r.pages[0].pfn, shared, "the parent pins its own copy");
  assert.equal(c.mm.pt.pfnAt(Number(B) / 4096), shared);
  // The parent's later write lands on the pinned page: no COW steals it.
  cpuWrite(p, B, new Uint8Array([8]));
  assert.equal(p.mm.pt.pfnAt(Number(B) / 4096), r.pages[0].pfn);
  assert.deepEqual([...cpuRead(c, B, 1).bytes!], [7]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gup: fork after a pin copies the pinned page for the child (K5)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x2000n, PROT_READ | PROT_WRITE, ANON, -1, 0]);
  cpuWrite(p, B + 0x1000n, new Uint8Array([1]));
  const r = pinUserPages(p.mm, Number(B), 1, FOLL_WRITE | FOLL_LONGTERM);
  const c = m.process(syscall(p, "fork", []).ret)!;
  const vpn = Number(B) / 4096;
  assert.notEqual(c.mm.pt.pfnAt(vpn), r.pages[0].pfn);
  assert.equal(c.mm.pt.pfnAt(vpn + 1), p.mm.pt.pfnAt(vpn + 1));
  assert.deepEqual(checkInvariants(m), []);
});
