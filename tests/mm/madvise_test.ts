/** madvise(2): linux-mm.md §6, checked against Linux 6.18.44. */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import type { Policies, Process } from "../../mod.ts";
import {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_HUGEPAGE,
  MADV_HWPOISON,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_REMOVE,
  MADV_SEQUENTIAL,
  MADV_SOFT_OFFLINE,
  MADV_UNMERGEABLE,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDONLY,
  O_RDWR,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EACCES, EAGAIN, EFAULT, EINVAL, ENOMEM } from "../../lib/abi/errno.ts";
import { MARKER_GUARD, PTE_MARKER, PTE_PRESENT, PTE_SPECIAL } from "../../lib/mm/pagetable.ts";
import { smapsVmFlags, windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const PG = 0x1000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const SHANON = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
/** The initial image's [vvar] (4 pages, VM_IO|VM_PFNMAP) and [vdso]. */
const VVAR = 0x7ffff7fc2000n;
const VDSO = 0x7ffff7fc8000n;

function setup(opts: { pages?: bigint; prot?: number; flags?: number; root?: boolean } = {}) {
  const m = new Machine({ root: opts.root });
  const p = m.init;
  const r = syscall(p, "mmap", [
    B,
    (opts.pages ?? 3n) * PG,
    opts.prot ?? RW,
    opts.flags ?? ANON,
    -1,
    0,
  ]);
  assert.equal(r.ret, Number(B));
  return { m, p };
}

function madvise(p: Process, addr: bigint, len: bigint, advice: number): number {
  return syscall(p, "madvise", [addr, len, advice]).ret;
}

function mmap(p: Process, addr: bigint, len: bigint, prot: number, flags: number, fd = -1) {
  const r = syscall(p, "mmap", [addr, len, prot, flags, fd, 0]).ret;
  assert.equal(r, Number(addr));
}

/** A file on the root filesystem opened on a new fd (open(2) is not needed). */
function openFile(p: Process, path: string, size: number, flags = O_RDWR): number {
  const m = p.machine;
  const inode = m.fs.lookup(path) ?? m.fs.create(path, size);
  return p.allocFd(m.openInode(inode, flags));
}

function byteAt(p: Process, addr: bigint): number {
  const r = cpuRead(p, addr, 1);
  assert.equal(r.sig, undefined, `read at ${addr.toString(16)} faulted`);
  return r.bytes![0];
}

function pteBits(p: Process, addr: bigint): number {
  return p.mm.pt.bitsAt(Number(addr) / 4096);
}

Deno.test("madvise: common checks in the kernel's order (A1, A1b, A1c, A1d, A1e, A1h)", () => {
  const { p } = setup();
  assert.equal(madvise(p, B, 0n, 99), -EINVAL); // unknown advice, even with len 0
  assert.equal(madvise(p, B + 1n, 0n, 99), -EINVAL);
  assert.equal(madvise(p, B, PG, 5), -EINVAL);
  assert.equal(madvise(p, B, PG, -1), -EINVAL);
  assert.equal(madvise(p, B, PG, MADV_HWPOISON), -EINVAL); // no CONFIG_MEMORY_FAILURE
  assert.equal(madvise(p, B, PG, MADV_SOFT_OFFLINE), -EINVAL);
  assert.equal(madvise(p, B + 1n, PG, MADV_DONTNEED), -EINVAL); // unaligned
  assert.equal(madvise(p, B + 1n, 0n, MADV_DONTNEED), -EINVAL); // unaligned beats len 0
  assert.equal(madvise(p, B, -1n, MADV_DONTNEED), -EINVAL); // PAGE_ALIGN wraps to 0
  assert.equal(madvise(p, B, -0x1000n, MADV_DONTNEED), -EINVAL); // start + len wraps
  assert.equal(madvise(p, 0x10000n, 0n, MADV_DONTNEED), 0); // len 0, unmapped: 0
  assert.equal(madvise(p, 0x10000n, PG, MADV_DONTNEED), -ENOMEM); // nothing mapped
  assert.equal(madvise(p, 0x10000n, PG, MADV_WILLNEED), -ENOMEM);
  assert.equal(madvise(p, 0xffff800000000000n, PG, MADV_DONTNEED), -ENOMEM);
  assert.equal(madvise(p, 0x7ffffffff000n, PG, MADV_NORMAL), -ENOMEM);
  assert.equal(madvise(p, B, 3n * PG, MADV_NORMAL), 0);
});

Deno.test("madvise: advice 18/19 are WIPEONFORK/KEEPONFORK; a planned knob is refused", () => {
  const { p } = setup();
  assert.equal(madvise(p, B, PG, 18), 0);
  assert.match(smapsVmFlags(p, Number(B)), / wf /);
  assert.equal(madvise(p, B, PG, 19), 0);
  assert.doesNotMatch(smapsVmFlags(p, Number(B)), / wf /);
  // No trace of the 2014 meaning: no `uf`, a missing page reads as zeros.
  assert.doesNotMatch(smapsVmFlags(p, Number(B)), / uf /);
  // A planned knob (vfio.onMemoryDisable, the one left since dax's and
  // hmm's landed; no preset is planned any more) is refused until its code lands.
  const policies = { "vfio.onMemoryDisable": "zero-page" } as unknown as Partial<Policies>;
  assert.throws(() => new Machine({ policies }), /vfio.onMemoryDisable is planned for issue 10/);
});

Deno.test("madvise: DONTFORK on the middle page splits into three VMAs, DOFORK merges back (A8, A8c)", () => {
  const { m, p } = setup();
  assert.equal(madvise(p, B + PG, PG, MADV_DONTFORK), 0);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "7f0000001000-7f0000002000 rw-p 00000000 00:00 0 ",
    "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 ",
  ]);
  assert.equal(smapsVmFlags(p, Number(B + PG)), "rd wr mr mw me dc ac ");
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac ");
  assert.equal(madvise(p, B + PG, PG, MADV_DOFORK), 0);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000003000 rw-p 00000000 00:00 0 "]);
  // An advice that changes nothing does not split.
  assert.equal(madvise(p, B + PG, PG, MADV_DOFORK), 0);
  assert.equal(windowMaps(p).length, 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: a hole is ENOMEM but every mapped part got the advice (A3, A1f)", () => {
  const { p } = setup();
  syscall(p, "munmap", [B + PG, PG]);
  assert.equal(madvise(p, B, 3n * PG, MADV_DONTFORK), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me dc ac ");
  assert.equal(smapsVmFlags(p, Number(B + 2n * PG)), "rd wr mr mw me dc ac ");
  // Starting in the hole, and a hole at the end.
  assert.equal(madvise(p, B + PG, 2n * PG, MADV_DONTDUMP), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B + 2n * PG)), "rd wr mr mw me dc ac dd ");
  assert.equal(madvise(p, B + 2n * PG, 2n * PG, MADV_RANDOM), -ENOMEM);
  assert.match(smapsVmFlags(p, Number(B + 2n * PG)), / rr /);
});

Deno.test("madvise: an advice error stops the walk at once; earlier VMAs keep the effect (A4c)", () => {
  const { m, p } = setup({ pages: 1n });
  mmap(p, B + PG, PG, RW, ANON | MAP_LOCKED);
  mmap(p, B + 2n * PG, PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + 2n * PG, new Uint8Array([3]));
  assert.equal(madvise(p, B, 3n * PG, MADV_DONTNEED), -EINVAL);
  assert.equal(byteAt(p, B), 0); // zapped
  assert.equal(byteAt(p, B + 2n * PG), 3); // never reached
  // WIPEONFORK over anon, shared anon, anon: the first VMA is changed.
  const q = new Machine().init;
  mmap(q, B, PG, RW, ANON);
  mmap(q, B + PG, PG, RW, SHANON);
  mmap(q, B + 2n * PG, PG, RW, ANON);
  assert.equal(madvise(q, B, 3n * PG, MADV_WIPEONFORK), -EINVAL);
  assert.match(smapsVmFlags(q, Number(B)), / wf /);
  assert.doesNotMatch(smapsVmFlags(q, Number(B + 2n * PG)), / wf /);
  // A hole before the failing VMA: the error wins over ENOMEM.
  syscall(q, "munmap", [B, PG]);
  assert.equal(madvise(q, B, 2n * PG, MADV_WIPEONFORK), -EINVAL);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: a split at the map-count limit is EAGAIN (first split kept); [vvar] refuses splits (A12g)", () => {
  const m = new Machine({ sysctl: { maxMapCount: 0 } });
  const p = m.init;
  const base = p.mm.mapCount;
  m.sysctl.maxMapCount = base + 2;
  mmap(p, B, 3n * PG, RW, ANON); // base + 1 VMAs
  assert.equal(madvise(p, B + PG, PG, MADV_DONTFORK), -EAGAIN);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "7f0000001000-7f0000003000 rw-p 00000000 00:00 0 ",
  ]);
  // At the limit: a whole VMA needs no split, and a piece that merges into
  // its changed neighbour needs none either.
  assert.equal(madvise(p, B, PG, MADV_DONTFORK), 0);
  assert.equal(madvise(p, B + PG, PG, MADV_DONTFORK), 0);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 ",
    "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 ",
  ]);
  assert.match(smapsVmFlags(p, Number(B + PG)), / dc /);
  assert.equal(madvise(p, B + 2n * PG, PG, MADV_DONTFORK), 0);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000003000 rw-p 00000000 00:00 0 "]);
  m.sysctl.maxMapCount = 65530;
  // [vvar]: one page cannot be split out; the whole VMA can change.
  assert.equal(madvise(p, VVAR, PG, MADV_DONTFORK), -EINVAL);
  assert.equal(madvise(p, VVAR, PG, MADV_NORMAL), 0); // no change, no split
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_DONTFORK), 0);
  assert.match(smapsVmFlags(p, Number(VVAR)), / dc /);
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_DOFORK), -EINVAL); // VM_IO (A12c)
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_DODUMP), -EINVAL); // VM_SPECIAL (A12d)
  assert.equal(madvise(p, VDSO, 2n * PG, MADV_DODUMP), -EINVAL); // [vdso] is VM_DONTEXPAND
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_NOHUGEPAGE), 0);
  assert.match(smapsVmFlags(p, Number(VVAR)), / nh /);
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_WIPEONFORK), 0); // no file, not shared
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_WILLNEED), 0); // A12f
});

Deno.test("madvise: DONTNEED on private anon frees the page; the next read is zero (A2)", () => {
  const { m, p } = setup();
  const free0 = m.frames.freeCount;
  cpuWrite(p, B, new Uint8Array([0x41]));
  cpuWrite(p, B + PG, new Uint8Array([0x42]));
  assert.equal(m.frames.freeCount, free0 - 2);
  assert.equal(madvise(p, B, PG, MADV_DONTNEED), 0);
  assert.equal(m.frames.freeCount, free0 - 1);
  assert.equal(pteBits(p, B), 0);
  assert.equal(byteAt(p, B), 0);
  assert.equal(pteBits(p, B) & PTE_SPECIAL, PTE_SPECIAL); // the zero page
  assert.equal(byteAt(p, B + PG), 0x42);
  assert.equal(windowMaps(p).length, 1); // VMA unchanged
  // DONTNEED_LOCKED is DONTNEED that also works on mlocked VMAs (A4b, A4d).
  mmap(p, B + 4n * PG, PG, RW, ANON | MAP_LOCKED);
  cpuWrite(p, B + 4n * PG, new Uint8Array([7]));
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_DONTNEED), -EINVAL);
  assert.equal(byteAt(p, B + 4n * PG), 7);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_DONTNEED_LOCKED), 0);
  assert.equal(byteAt(p, B + 4n * PG), 0);
  // VM_PFNMAP: [vvar] (A12); [vdso] has no PFNMAP and may be zapped.
  assert.equal(madvise(p, VVAR, PG, MADV_DONTNEED), -EINVAL);
  assert.equal(madvise(p, VVAR, PG, MADV_DONTNEED_LOCKED), -EINVAL);
  assert.equal(madvise(p, VDSO, 2n * PG, MADV_DONTNEED), 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: DONTNEED keeps shared data (A6) and drops private COW copies of a file (A5)", () => {
  const { p } = setup({ flags: SHANON });
  cpuWrite(p, B, new Uint8Array([9]));
  assert.equal(madvise(p, B, 3n * PG, MADV_DONTNEED), 0);
  assert.equal(pteBits(p, B), 0);
  assert.equal(byteAt(p, B), 9);
  const fd = openFile(p, "/tmp/f", 0x2000);
  mmap(p, B + 8n * PG, 2n * PG, RW, MAP_SHARED | MAP_FIXED, fd);
  cpuWrite(p, B + 8n * PG, new Uint8Array([0x78])); // the file's byte 0
  mmap(p, B + 16n * PG, 2n * PG, RW, MAP_PRIVATE | MAP_FIXED, fd);
  cpuWrite(p, B + 16n * PG, new Uint8Array([0x51])); // a private copy
  assert.equal(byteAt(p, B + 16n * PG), 0x51);
  assert.equal(madvise(p, B + 16n * PG, PG, MADV_DONTNEED), 0);
  assert.equal(byteAt(p, B + 16n * PG), 0x78);
});

Deno.test("madvise: FREE only on private anonymous memory; pages keep their data (A7, A7b, A7c, A4e)", () => {
  const { m, p } = setup();
  cpuWrite(p, B, new Uint8Array([9]));
  const free0 = m.frames.freeCount;
  assert.equal(madvise(p, B, 3n * PG, MADV_FREE), 0);
  assert.equal(byteAt(p, B), 9);
  assert.equal(m.frames.freeCount, free0);
  mmap(p, B + 4n * PG, PG, RW, SHANON);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_FREE), -EINVAL);
  const fd = openFile(p, "/tmp/f", 0x1000);
  mmap(p, B + 5n * PG, PG, RW, MAP_PRIVATE | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 5n * PG, PG, MADV_FREE), -EINVAL);
  mmap(p, B + 6n * PG, PG, RW, ANON | MAP_LOCKED);
  assert.equal(madvise(p, B + 6n * PG, PG, MADV_FREE), -EINVAL);
  assert.equal(madvise(p, VDSO, PG, MADV_FREE), -EINVAL); // vm_ops: not anonymous
  // MAP_DROPPABLE is private anonymous.
  mmap(p, B + 8n * PG, PG, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_FREE), 0);
});

Deno.test("madvise: REMOVE refusals: locked, no file, not shared+maywrite (A10, A10c, A10d)", () => {
  const { p } = setup();
  assert.equal(madvise(p, B, PG, MADV_REMOVE), -EINVAL); // private anon
  mmap(p, B + 4n * PG, PG, RW, SHANON | MAP_LOCKED);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_REMOVE), -EINVAL);
  const fd = openFile(p, "/tmp/f", 0x4000);
  mmap(p, B + 8n * PG, PG, RW, MAP_PRIVATE | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_REMOVE), -EACCES);
  mmap(p, B + 9n * PG, PG, RW, MAP_PRIVATE | MAP_FIXED | MAP_LOCKED, fd);
  assert.equal(madvise(p, B + 9n * PG, PG, MADV_REMOVE), -EINVAL); // VM_LOCKED first
  const ro = openFile(p, "/tmp/f", 0x4000, O_RDONLY);
  mmap(p, B + 10n * PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, ro);
  assert.equal(madvise(p, B + 10n * PG, PG, MADV_REMOVE), -EACCES);
  // Shared, PROT_READ, but the fd is O_RDWR: allowed (A10e).
  mmap(p, B + 11n * PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 11n * PG, PG, MADV_REMOVE), 0);
  // Shared anon with a hole after it.
  mmap(p, B + 12n * PG, PG, RW, SHANON);
  assert.equal(madvise(p, B + 12n * PG, 2n * PG, MADV_REMOVE), -ENOMEM);
});

Deno.test("madvise: REMOVE punches a hole: shared anon and shared file read zero after it (A10b, A10e)", () => {
  const { p } = setup({ flags: SHANON });
  cpuWrite(p, B, new Uint8Array(0x3000).fill(7));
  assert.equal(madvise(p, B + PG, PG, MADV_REMOVE), 0);
  assert.equal(byteAt(p, B), 7);
  assert.equal(byteAt(p, B + PG), 0);
  assert.equal(byteAt(p, B + 2n * PG), 7);
  const fd = openFile(p, "/tmp/f", 0x2000);
  mmap(p, B + 8n * PG, 4n * PG, RW, MAP_SHARED | MAP_FIXED, fd);
  cpuWrite(p, B + 8n * PG, new Uint8Array(0x2000).fill(0x61));
  assert.equal(madvise(p, B + 9n * PG, PG, MADV_REMOVE), 0);
  assert.equal(byteAt(p, B + 9n * PG), 0);
  assert.equal(byteAt(p, B + 8n * PG), 0x61);
  assert.equal(madvise(p, B + 10n * PG, 2n * PG, MADV_REMOVE), 0); // past EOF: nothing to do
  assert.equal(p.fds[fd]!.inode.size, 0x2000);
  // A guard marker survives the hole punch (checked on 6.18.44).
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_GUARD_INSTALL), 0);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_REMOVE), 0);
  assert.equal(cpuRead(p, B + 8n * PG, 1).sig?.signo, 11);
});

Deno.test("madvise: WILLNEED is always 0; on a file it reads the range (to EOF) into the page cache (A11, A11l)", () => {
  const { p } = setup();
  assert.equal(madvise(p, B, 3n * PG, MADV_WILLNEED), 0);
  const fd = openFile(p, "/tmp/w", 6 * 0x1000);
  const inode = p.fds[fd]!.inode;
  mmap(p, B + 16n * PG, 8n * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 17n * PG, 2n * PG, MADV_WILLNEED), 0);
  assert.deepEqual([...inode.pages.keys()].sort(), [1, 2]);
  assert.equal(pteBits(p, B + 17n * PG), 0); // nothing mapped
  assert.equal(madvise(p, B + 20n * PG, 4n * PG, MADV_WILLNEED), 0); // past EOF: fine
  assert.deepEqual([...inode.pages.keys()].sort(), [1, 2, 4, 5]);
});

Deno.test("madvise: WIPEONFORK only for private anon; KEEPONFORK refused on droppable (A8b, A8d, A9, A9b, A9c, A9d)", () => {
  const { p } = setup();
  assert.equal(madvise(p, B + PG, PG, MADV_WIPEONFORK), 0);
  assert.equal(smapsVmFlags(p, Number(B + PG)), "rd wr mr mw me ac wf ");
  assert.equal(windowMaps(p).length, 3);
  assert.equal(madvise(p, B + PG, PG, MADV_KEEPONFORK), 0);
  assert.equal(windowMaps(p).length, 1);
  mmap(p, B + 4n * PG, PG, RW, SHANON);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_WIPEONFORK), -EINVAL);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_KEEPONFORK), 0);
  const fd = openFile(p, "/tmp/f", 0x1000);
  mmap(p, B + 5n * PG, PG, RW, MAP_PRIVATE | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 5n * PG, PG, MADV_WIPEONFORK), -EINVAL);
  mmap(p, B + 8n * PG, 2n * PG, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_KEEPONFORK), -EINVAL);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_DODUMP), -EINVAL); // A9e
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_WIPEONFORK), 0); // already wf: no split
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_DONTDUMP), 0);
  assert.equal(smapsVmFlags(p, Number(B + 8n * PG)), "rd wr mr mw me nr wf dd dp ");
});

Deno.test("madvise: NORMAL/RANDOM/SEQUENTIAL, DONTDUMP/DODUMP, HUGEPAGE/NOHUGEPAGE flags (A13, A13b, A13c, A13e)", () => {
  const { m, p } = setup();
  assert.equal(madvise(p, B, PG, MADV_RANDOM), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me rr ac ");
  assert.equal(madvise(p, B, PG, MADV_SEQUENTIAL), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me sr ac ");
  assert.equal(madvise(p, B, PG, MADV_NORMAL), 0);
  assert.equal(windowMaps(p).length, 1);
  assert.equal(madvise(p, B + 2n * PG, PG, MADV_DONTDUMP), 0);
  assert.equal(smapsVmFlags(p, Number(B + 2n * PG)), "rd wr mr mw me ac dd ");
  assert.equal(madvise(p, B + 2n * PG, PG, MADV_DODUMP), 0);
  assert.equal(madvise(p, B, PG, MADV_HUGEPAGE), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac hg ");
  assert.equal(madvise(p, B, PG, MADV_NOHUGEPAGE), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac nh ");
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "7f0000001000-7f0000003000 rw-p 00000000 00:00 0 ",
  ]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: MERGEABLE sets mg (CONFIG_KSM); incompatible VMAs ignore it silently", () => {
  const { p } = setup();
  assert.equal(madvise(p, B + PG, PG, MADV_MERGEABLE), 0);
  assert.equal(smapsVmFlags(p, Number(B + PG)), "rd wr mr mw me ac mg ");
  assert.equal(madvise(p, B + PG, PG, MADV_UNMERGEABLE), 0);
  assert.equal(windowMaps(p).length, 1);
  mmap(p, B + 4n * PG, 3n * PG, RW, SHANON);
  assert.equal(madvise(p, B + 5n * PG, PG, MADV_MERGEABLE), 0);
  assert.equal(windowMaps(p).length, 2); // no split, no mg
  assert.doesNotMatch(smapsVmFlags(p, Number(B + 5n * PG)), /mg/);
  assert.equal(madvise(p, VVAR, 4n * PG, MADV_MERGEABLE), 0);
  assert.doesNotMatch(smapsVmFlags(p, Number(VVAR)), /mg/);
  // A private file mapping is compatible.
  const fd = openFile(p, "/tmp/f", 0x1000);
  mmap(p, B + 8n * PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_MERGEABLE), 0);
  assert.match(smapsVmFlags(p, Number(B + 8n * PG)), / mg /);
});

Deno.test("madvise: COLD/PAGEOUT refuse locked and PFN maps (A4f); PAGEOUT unmaps shmem pages, keeps anon ones", () => {
  const { m, p } = setup();
  cpuWrite(p, B, new Uint8Array([5]));
  assert.equal(madvise(p, B, 3n * PG, MADV_COLD), 0);
  assert.equal(madvise(p, B, 3n * PG, MADV_PAGEOUT), 0);
  assert.equal(pteBits(p, B) & PTE_PRESENT, PTE_PRESENT); // no swap: stays
  assert.equal(byteAt(p, B), 5);
  mmap(p, B + 4n * PG, PG, RW, ANON | MAP_LOCKED);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_COLD), -EINVAL);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_PAGEOUT), -EINVAL);
  assert.equal(madvise(p, VVAR, PG, MADV_PAGEOUT), -EINVAL);
  assert.equal(madvise(p, VDSO, 2n * PG, MADV_PAGEOUT), 0);
  mmap(p, B + 8n * PG, 2n * PG, RW, SHANON);
  cpuWrite(p, B + 8n * PG, new Uint8Array([6]));
  assert.equal(madvise(p, B + 8n * PG, 2n * PG, MADV_PAGEOUT), 0);
  assert.equal(pteBits(p, B + 8n * PG), 0); // unmapped, still in shmem
  assert.equal(byteAt(p, B + 8n * PG), 6);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: POPULATE_READ maps the zero page; refusals; holes; past EOF (A11b, A11i, A11j, A11k, A12b)", () => {
  const { m, p } = setup();
  const free0 = m.frames.freeCount;
  assert.equal(madvise(p, B, 3n * PG, MADV_POPULATE_READ), 0);
  assert.equal(m.frames.freeCount, free0);
  assert.equal(pteBits(p, B + 2n * PG) & (PTE_PRESENT | PTE_SPECIAL), PTE_PRESENT | PTE_SPECIAL);
  mmap(p, B + 4n * PG, PG, PROT_NONE, ANON);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_POPULATE_READ), -EINVAL);
  mmap(p, B + 5n * PG, PG, PROT_WRITE, ANON);
  assert.equal(madvise(p, B + 5n * PG, PG, MADV_POPULATE_READ), -EINVAL); // no VM_READ
  assert.equal(madvise(p, VVAR, PG, MADV_POPULATE_READ), -EINVAL);
  assert.equal(madvise(p, VDSO, 2n * PG, MADV_POPULATE_READ), 0);
  // A hole: the pages before it are populated, then ENOMEM.
  mmap(p, B + 8n * PG, 3n * PG, RW, ANON);
  syscall(p, "munmap", [B + 9n * PG, PG]);
  assert.equal(madvise(p, B + 8n * PG, 3n * PG, MADV_POPULATE_WRITE), -ENOMEM);
  assert.equal(pteBits(p, B + 8n * PG) & PTE_PRESENT, PTE_PRESENT);
  assert.equal(pteBits(p, B + 10n * PG), 0);
  assert.equal(madvise(p, B + 9n * PG, 2n * PG, MADV_POPULATE_WRITE), -ENOMEM);
  // Past EOF: the fault would raise SIGBUS: EFAULT.
  const fd = openFile(p, "/tmp/f", 0x1000);
  mmap(p, B + 16n * PG, 2n * PG, RW, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 16n * PG, 2n * PG, MADV_POPULATE_READ), -EFAULT);
  assert.equal(pteBits(p, B + 16n * PG) & PTE_PRESENT, PTE_PRESENT);
  assert.equal(madvise(p, B + 16n * PG, 2n * PG, MADV_POPULATE_WRITE), -EFAULT);
});

Deno.test("madvise: POPULATE_WRITE allocates private pages; refused without VM_WRITE (A11c, A11f)", () => {
  const { m, p } = setup();
  const free0 = m.frames.freeCount;
  assert.equal(madvise(p, B, 3n * PG, MADV_POPULATE_WRITE), 0);
  assert.equal(m.frames.freeCount, free0 - 3);
  assert.equal(p.mm.vmas.lookup(Number(B))!.anonVma !== null, true);
  assert.equal(madvise(p, B, 3n * PG, MADV_POPULATE_WRITE), 0); // already writable
  assert.equal(m.frames.freeCount, free0 - 3);
  mmap(p, B + 4n * PG, PG, PROT_READ, ANON);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_POPULATE_WRITE), -EINVAL);
  assert.equal(madvise(p, VDSO, PG, MADV_POPULATE_WRITE), -EINVAL);
  // The zero page is replaced by a private page.
  mmap(p, B + 8n * PG, PG, RW, ANON);
  byteAt(p, B + 8n * PG);
  assert.equal(madvise(p, B + 8n * PG, PG, MADV_POPULATE_WRITE), 0);
  assert.equal(pteBits(p, B + 8n * PG) & PTE_SPECIAL, 0);
});

Deno.test("madvise: GUARD_INSTALL zaps, marks, and faults with SIGSEGV SEGV_MAPERR; the VMA only gains gu (A14, A14b, A14c, A14e)", () => {
  const { m, p } = setup({ pages: 4n });
  cpuWrite(p, B, new Uint8Array(0x4000).fill(0x41));
  const free0 = m.frames.freeCount;
  assert.equal(madvise(p, B + PG, 2n * PG, MADV_GUARD_INSTALL), 0);
  assert.equal(m.frames.freeCount, free0 + 2);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000004000 rw-p 00000000 00:00 0 "]);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me gu ac ");
  assert.equal(pteBits(p, B + PG), PTE_MARKER);
  assert.equal(p.mm.pt.pfnAt(Number(B + PG) / 4096), MARKER_GUARD);
  const r = cpuRead(p, B + PG + 5n, 1);
  assert.deepEqual(r.sig, { signo: 11, code: 1, addr: Number(B + PG + 5n) });
  const w = cpuWrite(p, B + 2n * PG + 7n, new Uint8Array([1]));
  assert.deepEqual(w.sig, { signo: 11, code: 1, addr: Number(B + 2n * PG + 7n) });
  assert.equal(byteAt(p, B), 0x41);
  assert.equal(byteAt(p, B + 3n * PG), 0x41);
  // DONTNEED and FREE keep the markers; POPULATE hits them with EFAULT.
  assert.equal(madvise(p, B, 4n * PG, MADV_DONTNEED), 0);
  assert.equal(madvise(p, B, 4n * PG, MADV_FREE), 0);
  assert.equal(cpuRead(p, B + PG, 1).sig?.signo, 11);
  assert.equal(madvise(p, B, 4n * PG, MADV_POPULATE_READ), -EFAULT);
  assert.equal(madvise(p, B + PG, PG, MADV_POPULATE_WRITE), -EFAULT);
  assert.equal(madvise(p, B + PG, PG, MADV_GUARD_INSTALL), 0); // idempotent
  // GUARD_REMOVE clears the markers; the VMA keeps gu.
  assert.equal(madvise(p, B + PG, PG, MADV_GUARD_REMOVE), 0);
  assert.equal(byteAt(p, B + PG), 0);
  assert.equal(cpuRead(p, B + 2n * PG, 1).sig?.signo, 11);
  assert.equal(madvise(p, B, 4n * PG, MADV_GUARD_REMOVE), 0);
  assert.equal(byteAt(p, B + 2n * PG), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me gu ac ");
  // gu is ignored when merging and carried into the merged VMA.
  mmap(p, B + 4n * PG, PG, RW, ANON);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000005000 rw-p 00000000 00:00 0 "]);
  // munmap drops markers.
  assert.equal(madvise(p, B, PG, MADV_GUARD_INSTALL), 0);
  syscall(p, "munmap", [B, PG]);
  mmap(p, B, PG, RW, ANON);
  assert.equal(byteAt(p, B), 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("madvise: guard refusals: locked (install only), special mappings; file and PROT_NONE VMAs are fine", () => {
  const { p } = setup({ flags: ANON | MAP_LOCKED });
  assert.equal(madvise(p, B, PG, MADV_GUARD_INSTALL), -EINVAL);
  assert.equal(madvise(p, B, PG, MADV_GUARD_REMOVE), 0);
  assert.equal(madvise(p, VVAR, PG, MADV_GUARD_INSTALL), -EINVAL);
  assert.equal(madvise(p, VDSO, PG, MADV_GUARD_INSTALL), -EINVAL); // VM_DONTEXPAND
  assert.equal(madvise(p, VDSO, PG, MADV_GUARD_REMOVE), -EINVAL);
  mmap(p, B + 4n * PG, PG, PROT_NONE, ANON);
  assert.equal(madvise(p, B + 4n * PG, PG, MADV_GUARD_INSTALL), 0);
  const fd = openFile(p, "/tmp/g", 0x2000);
  mmap(p, B + 8n * PG, 4n * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(madvise(p, B + 10n * PG, PG, MADV_GUARD_INSTALL), 0); // past EOF too
  assert.deepEqual(cpuRead(p, B + 10n * PG, 1).sig, {
    signo: 11,
    code: 1,
    addr: Number(B + 10n * PG),
  });
  assert.equal(cpuRead(p, B + 11n * PG, 1).sig?.signo, 7); // SIGBUS past EOF
});

Deno.test("madvise: COLLAPSE needs an anonymous THP-eligible VMA and a 2 MiB block with a page in it", () => {
  const { m, p } = setup();
  assert.equal(madvise(p, B, PG, MADV_COLLAPSE), -EINVAL); // VMA smaller than 2 MiB
  const H = 0x200000n;
  const C = B + 0x10000000n; // 2 MiB aligned
  mmap(p, C, 2n * H, RW, ANON);
  assert.equal(madvise(p, C, H, MADV_COLLAPSE), -EINVAL); // nothing to collapse
  cpuWrite(p, C + 5n, new Uint8Array([1]));
  assert.equal(madvise(p, C, PG, MADV_COLLAPSE), 0); // no whole block: nothing done
  const free0 = m.frames.freeCount;
  assert.equal(madvise(p, C, H, MADV_COLLAPSE), 0);
  assert.equal(m.frames.freeCount, free0 - 511); // RSS = the whole huge page
  assert.equal(byteAt(p, C + 5n), 1);
  assert.equal(madvise(p, C, 2n * H, MADV_COLLAPSE), -EINVAL); // second block empty
  assert.equal(madvise(p, C, 2n * H, MADV_NOHUGEPAGE), 0);
  assert.equal(madvise(p, C, H, MADV_COLLAPSE), -EINVAL);
  mmap(p, C + 4n * H, 2n * H, RW, SHANON);
  assert.equal(madvise(p, C + 4n * H, H, MADV_COLLAPSE), -EINVAL);
  assert.deepEqual(checkInvariants(m), []);
});
