/** mlock(2), mlock2(2), munlock(2), mlockall(2), munlockall(2): mm/mlock.c, checked on 6.18.44. */
import assert from "node:assert/strict";
import { checkInvariants, cpuWrite, Machine, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  MCL_CURRENT,
  MCL_FUTURE,
  MCL_ONFAULT,
  MLOCK_ONFAULT,
  O_RDWR,
  PROT_EXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EINVAL, ENOMEM, EPERM } from "../../lib/abi/errno.ts";
import { MADV_GUARD_INSTALL } from "../../lib/abi/mman.ts";
import { PTE_PRESENT, PTE_SPECIAL } from "../../lib/mm/pagetable.ts";
import { smapsVmFlags, windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const PG = 0x1000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const VVAR = 0x7ffff7fc2000n;
const VDSO = 0x7ffff7fc8000n;

function setup(pages = 4n, prot = RW, root = true) {
  const m = new Machine({ root });
  const p = m.init;
  assert.equal(syscall(p, "mmap", [B, pages * PG, prot, ANON, -1, 0]).ret, Number(B));
  return { m, p };
}

function call(p: Process, name: string, args: unknown[]): number {
  return syscall(p, name, args).ret;
}

function mmap(p: Process, addr: bigint, len: bigint, prot: number, flags: number, fd = -1) {
  assert.equal(call(p, "mmap", [addr, len, prot, flags, fd, 0]), Number(addr));
}

function present(p: Process, addr: bigint): boolean {
  return (p.mm.pt.bitsAt(Number(addr) / 4096) & PTE_PRESENT) !== 0;
}

function openFile(p: Process, path: string, size: number): number {
  const m = p.machine;
  const inode = m.fs.lookup(path) ?? m.fs.create(path, size);
  return p.allocFd(m.openInode(inode, O_RDWR));
}

Deno.test("mlock: argument rounding and wrap-around; mlock2 flags checked first", () => {
  const { p } = setup();
  assert.equal(call(p, "mlock2", [B, PG, 2]), -EINVAL);
  assert.equal(call(p, "mlock2", [B + 1n + 16n * PG, PG, 2]), -EINVAL); // before anything else
  assert.equal(call(p, "mlock2", [B, 0n, -1]), -EINVAL);
  assert.equal(call(p, "mlock", [B, 0n]), 0);
  assert.equal(call(p, "mlock", [B + 16n * PG, 0n]), 0); // len 0, unmapped
  assert.equal(call(p, "mlock", [B, -1n]), 0); // rounds up to 0: locks nothing
  assert.equal(windowMaps(p).length, 1);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac ");
  assert.equal(call(p, "mlock", [B, -0x1000n]), -EINVAL); // start + len wraps
  assert.equal(call(p, "munlock", [B, -1n]), 0);
  assert.equal(call(p, "munlock", [B, -0x1000n]), -EINVAL);
  assert.equal(call(p, "mlock", [0xffff800000000000n, PG]), -ENOMEM);
  // An unaligned start: rounded down, len grows by the offset.
  assert.equal(call(p, "mlock", [B + 5n, PG]), 0);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 ",
    "7f0000002000-7f0000004000 rw-p 00000000 00:00 0 ",
  ]);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me lo ac ");
  assert.equal(call(p, "mlock2", [B, PG, 0]), 0); // flags 0 is plain mlock
});

Deno.test("mlock: locks and populates; the middle page splits; munlock merges back", () => {
  const { m, p } = setup();
  const free0 = m.frames.freeCount;
  assert.equal(call(p, "mlock", [B + PG, PG]), 0);
  assert.equal(windowMaps(p).length, 3);
  assert.equal(smapsVmFlags(p, Number(B + PG)), "rd wr mr mw me lo ac ");
  assert.equal(m.frames.freeCount, free0 - 1); // write-faulted: COW broken
  assert.equal(call(p, "mlock", [B, 4n * PG]), 0);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000004000 rw-p 00000000 00:00 0 "]);
  assert.equal(m.frames.freeCount, free0 - 4);
  assert.equal(call(p, "munlock", [B + PG, PG]), 0);
  assert.equal(windowMaps(p).length, 3);
  assert.equal(call(p, "munlock", [B, 4n * PG]), 0);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000004000 rw-p 00000000 00:00 0 "]);
  assert.equal(m.frames.freeCount, free0 - 4); // pages stay
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("mlock: holes — earlier VMAs stay locked, ENOMEM; a start in a hole changes nothing", () => {
  const { p } = setup();
  call(p, "munmap", [B + 2n * PG, PG]);
  assert.equal(call(p, "mlock", [B, 4n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me lo ac ");
  assert.equal(smapsVmFlags(p, Number(B + 3n * PG)), "rd wr mr mw me ac ");
  assert.equal(present(p, B), false); // the error came before populating
  assert.equal(call(p, "munlock", [B, 2n * PG]), 0);
  assert.equal(call(p, "mlock", [B + 2n * PG, 2n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B + 3n * PG)), "rd wr mr mw me ac ");
  assert.equal(call(p, "munlock", [B + 2n * PG, 2n * PG]), -ENOMEM);
  assert.equal(call(p, "munlock", [B, 4n * PG]), -ENOMEM);
  // A hole at the end: the VMA is locked, then ENOMEM.
  assert.equal(call(p, "mlock", [B + 3n * PG, 2n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B + 3n * PG)), "rd wr mr mw me lo ac ");
});

Deno.test("mlock2(MLOCK_ONFAULT) sets lo lf and populates nothing; a later mlock clears lf and populates", () => {
  const { m, p } = setup(2n);
  const free0 = m.frames.freeCount;
  assert.equal(call(p, "mlock2", [B, 2n * PG, MLOCK_ONFAULT]), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me lo lf ac ");
  assert.equal(m.frames.freeCount, free0);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.equal(call(p, "mlock", [B, 2n * PG]), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me lo ac ");
  assert.equal(m.frames.freeCount, free0 - 2);
});

Deno.test("mlock: populate failures — PROT_NONE and past-EOF are ENOMEM with the VMA locked", () => {
  const { m, p } = setup(2n, PROT_NONE);
  assert.equal(call(p, "mlock", [B, 2n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B)), "mr mw me lo ");
  // Read-only and exec-only anon: read faults map the zero page.
  const free0 = m.frames.freeCount;
  mmap(p, B + 4n * PG, 2n * PG, PROT_READ, ANON);
  assert.equal(call(p, "mlock", [B + 4n * PG, 2n * PG]), 0);
  mmap(p, B + 6n * PG, 2n * PG, PROT_EXEC, ANON);
  assert.equal(call(p, "mlock", [B + 6n * PG, 2n * PG]), 0);
  assert.equal(p.mm.pt.bitsAt(Number(B + 7n * PG) / 4096) & PTE_SPECIAL, PTE_SPECIAL);
  assert.equal(m.frames.freeCount, free0);
  // Write-only private: write-faulted.
  mmap(p, B + 8n * PG, PG, PROT_WRITE, ANON);
  assert.equal(call(p, "mlock", [B + 8n * PG, PG]), 0);
  assert.equal(m.frames.freeCount, free0 - 1);
  // A file shorter than the mapping: pages before EOF populated, then ENOMEM.
  const fd = openFile(p, "/tmp/f", 0x2000);
  mmap(p, B + 16n * PG, 4n * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(call(p, "mlock", [B + 16n * PG, 4n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B + 16n * PG)), "rd sh mr mw me ms lo ");
  assert.equal(present(p, B + 17n * PG), true);
  // A guard marker: ENOMEM too (checked on 6.18.44).
  mmap(p, B + 24n * PG, 2n * PG, RW, ANON);
  call(p, "madvise", [B + 25n * PG, PG, MADV_GUARD_INSTALL]);
  assert.equal(call(p, "mlock", [B + 24n * PG, 2n * PG]), -ENOMEM);
  assert.equal(smapsVmFlags(p, Number(B + 24n * PG)), "rd wr mr mw me gu lo ac ");
});

Deno.test("mlock: special mappings and MAP_DROPPABLE stay unlocked without an error", () => {
  const { m, p } = setup();
  assert.equal(call(p, "mlock", [VVAR, PG]), 0); // no split attempted either
  assert.equal(smapsVmFlags(p, Number(VVAR)), "rd mr pf io de dd ");
  assert.equal(call(p, "mlock", [VDSO, 2n * PG]), 0);
  assert.doesNotMatch(smapsVmFlags(p, Number(VDSO)), /lo/);
  assert.equal(present(p, VDSO), true); // populated all the same
  mmap(p, B + 8n * PG, 2n * PG, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED);
  const free0 = m.frames.freeCount;
  assert.equal(call(p, "mlock", [B + 8n * PG, 2n * PG]), 0);
  assert.equal(smapsVmFlags(p, Number(B + 8n * PG)), "rd wr mr mw me nr wf dd dp ");
  assert.equal(m.frames.freeCount, free0 - 2);
  assert.equal(call(p, "munlock", [VDSO, PG]), 0);
});

Deno.test("mlock: a split at the map-count limit is ENOMEM (not EAGAIN as in madvise)", () => {
  const { m, p } = setup(3n);
  m.sysctl.maxMapCount = p.mm.mapCount;
  assert.equal(call(p, "mlock", [B + PG, PG]), -ENOMEM);
  assert.equal(windowMaps(p).length, 1);
  assert.equal(call(p, "mlock", [B, 3n * PG]), 0); // the whole VMA: no split
});

Deno.test("mlockall: flag checks; MCL_FUTURE locks later mappings; munlockall clears both", () => {
  const { p } = setup(2n);
  assert.equal(call(p, "mlockall", [0]), -EINVAL);
  assert.equal(call(p, "mlockall", [8]), -EINVAL);
  assert.equal(call(p, "mlockall", [MCL_ONFAULT]), -EINVAL);
  assert.equal(call(p, "mlockall", [MCL_CURRENT | 8]), -EINVAL);
  assert.equal(call(p, "mlockall", [-1]), -EINVAL);
  assert.equal(call(p, "mlockall", [MCL_FUTURE]), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac "); // current ones untouched
  mmap(p, B + 4n * PG, 2n * PG, RW, ANON);
  assert.equal(smapsVmFlags(p, Number(B + 4n * PG)), "rd wr mr mw me lo ac ");
  assert.equal(present(p, B + 4n * PG), true);
  mmap(p, B + 8n * PG, PG, PROT_NONE, ANON);
  assert.equal(smapsVmFlags(p, Number(B + 8n * PG)), "mr mw me lo ");
  assert.equal(call(p, "munlockall", []), 0);
  assert.equal(smapsVmFlags(p, Number(B + 4n * PG)), "rd wr mr mw me ac ");
  assert.equal(p.mm.defFlags, 0);
  mmap(p, B + 12n * PG, PG, RW, ANON);
  assert.equal(smapsVmFlags(p, Number(B + 12n * PG)), "rd wr mr mw me ac ");
});

Deno.test("mlockall: MCL_CURRENT locks every VMA it may (specials skipped), ignoring populate errors", () => {
  const { m, p } = setup(2n, PROT_NONE);
  mmap(p, B + 4n * PG, 2n * PG, RW, ANON);
  assert.equal(call(p, "mlockall", [MCL_CURRENT | MCL_ONFAULT]), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "mr mw me lo lf ");
  assert.equal(present(p, B + 4n * PG), false); // on fault: nothing populated
  assert.equal(call(p, "mlockall", [MCL_CURRENT]), 0);
  assert.equal(smapsVmFlags(p, Number(B)), "mr mw me lo ");
  assert.equal(present(p, B + 4n * PG), true); // the PROT_NONE error was ignored
  assert.doesNotMatch(smapsVmFlags(p, Number(VVAR)), /lo/);
  for (let v = p.mm.vmas.first; v !== null; v = v.next) {
    if (v.ops === null) assert.match(smapsVmFlags(p, v.start), / lo /);
  }
  // MCL_CURRENT alone also clears def_flags.
  assert.equal(call(p, "mlockall", [MCL_FUTURE | MCL_ONFAULT]), 0);
  assert.equal(call(p, "mlockall", [MCL_CURRENT]), 0);
  assert.equal(p.mm.defFlags, 0);
  assert.equal(call(p, "munlockall", []), 0);
  for (let v = p.mm.vmas.first; v !== null; v = v.next) {
    assert.doesNotMatch(smapsVmFlags(p, v.start), /lo|lf/);
  }
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("mlockall(MCL_FUTURE): a MAP_DROPPABLE mapping is populated but not locked", () => {
  // mm/vma.c __mmap_complete(): !vma_supports_mlock() clears VM_LOCKED_MASK.
  const { m, p } = setup(1n);
  assert.equal(call(p, "mlockall", [MCL_FUTURE]), 0);
  mmap(p, B + 4n * PG, 2n * PG, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(smapsVmFlags(p, Number(B + 4n * PG)), "rd wr mr mw me nr wf dd dp ");
  assert.equal(present(p, B + 5n * PG), true); // do_mmap's populate still ran
  mmap(p, B + 8n * PG, PG, RW, ANON);
  assert.equal(smapsVmFlags(p, Number(B + 8n * PG)), "rd wr mr mw me lo ac ");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("mlockall(MCL_FUTURE|MCL_ONFAULT): later mappings get lo lf", () => {
  const { p } = setup(1n);
  assert.equal(call(p, "mlockall", [MCL_FUTURE | MCL_ONFAULT]), 0);
  mmap(p, B + 4n * PG, 2n * PG, RW, ANON);
  assert.equal(smapsVmFlags(p, Number(B + 4n * PG)), "rd wr mr mw me lo lf ac ");
});

Deno.test({
  // populate.ts populateRange() (mmap's mm_populate) must skip VM_LOCKONFAULT VMAs
  // (populate_vma_page_range) for this to hold; checked on 6.18.44: Rss 0.
  name: "mlockall(MCL_FUTURE|MCL_ONFAULT): later mappings are not populated",
  fn() {
    const { p } = setup(1n);
    assert.equal(call(p, "mlockall", [MCL_FUTURE | MCL_ONFAULT]), 0);
    mmap(p, B + 4n * PG, 2n * PG, RW, ANON);
    assert.equal(present(p, B + 4n * PG), false);
  },
});

Deno.test("mlock without CAP_IPC_LOCK: RLIMIT_MEMLOCK is enforced; a zero limit is EPERM", () => {
  const { p } = setup(8n, RW, false);
  p.mm.rlimits.memlock = 4 * 4096;
  assert.equal(call(p, "mlock", [B, 4n * PG]), 0);
  assert.equal(call(p, "mlock", [B, 4n * PG]), 0); // already locked pages count once
  assert.equal(call(p, "mlock", [B + 4n * PG, PG]), -ENOMEM);
  assert.equal(call(p, "mlock", [B, 5n * PG]), -ENOMEM);
  assert.equal(call(p, "mlock2", [B + 4n * PG, PG, MLOCK_ONFAULT]), -ENOMEM);
  assert.equal(call(p, "mlock", [B, -0x1000n]), -ENOMEM); // the limit before the wrap check
  assert.equal(call(p, "mlock", [B, 0n]), 0);
  assert.equal(call(p, "munlock", [B, 8n * PG]), 0);
  assert.equal(call(p, "mlock", [B + 8n * PG, 8n * PG]), -ENOMEM); // over the limit before the hole
  assert.equal(call(p, "mlockall", [MCL_CURRENT]), -ENOMEM); // total_vm > limit
  assert.equal(call(p, "mlockall", [MCL_FUTURE]), 0);
  assert.equal(call(p, "munlockall", []), 0);
  p.mm.rlimits.memlock = 0;
  assert.equal(call(p, "mlock", [B, PG]), -EPERM);
  assert.equal(call(p, "mlock", [B, 0n]), -EPERM);
  assert.equal(call(p, "mlock2", [B, PG, 2]), -EINVAL);
  assert.equal(call(p, "munlock", [B, PG]), 0);
  assert.equal(call(p, "mlockall", [0]), -EINVAL);
  assert.equal(call(p, "mlockall", [MCL_CURRENT]), -EPERM);
  assert.equal(call(p, "munlockall", []), 0);
});
