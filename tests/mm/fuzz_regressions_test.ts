/**
 * Differences from 6.18.44 found by the differential fuzzer
 * (repl/host/fuzz.ts), each pinned here with the kernel function it
 * follows; the shrunk reproducers are in tests/conformance/fuzz_*.mm.
 */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, smapsLines, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import {
  MADV_FREE,
  MADV_POPULATE_WRITE,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { ENOMEM } from "../../lib/abi/errno.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";
import { windowMaps } from "./helpers.ts";

const B = 0x7f0000000000;
const RW = PROT_READ | PROT_WRITE;

function sys(p: Process, name: string, ...args: unknown[]): number {
  return syscall(p, name, args).ret;
}

function mmap(
  p: Process,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd = -1,
  off = 0,
) {
  return sys(p, "mmap", BigInt(addr), BigInt(len), prot, flags, fd, BigInt(off));
}

/** One smaps field (in kB) of the VMA starting at `addr`. */
function smapsField(p: Process, addr: number, field: string): number {
  const lines = smapsLines(p);
  const i = lines.findIndex((l) => l.startsWith(addr.toString(16) + "-"));
  assert.ok(i >= 0, `no VMA at ${addr.toString(16)}`);
  for (let j = i + 1; j < lines.length && !/^[0-9a-f]+-/.test(lines[j]); j++) {
    if (lines[j].startsWith(field + ":")) return Number(lines[j].split(/\s+/)[1]);
  }
  throw new Error(`no ${field}`);
}

Deno.test("anon_vma_prepare reuses a compatible neighbour's anon_vma, so mprotect merges again", () => {
  // mm/vma.c: find_mergeable_anon_vma() / reusable_anon_vma() / anon_vma_compatible():
  // the flags may differ in the access bits only.
  const m = new Machine();
  const p = m.init;
  assert.equal(
    mmap(p, B + 0xd000, 0x5000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
    B + 0xd000,
  );
  assert.equal(sys(p, "mprotect", BigInt(B + 0xd000), 0x1000n, RW | PROT_EXEC), 0);
  assert.equal(cpuWrite(p, B + 0xd000, new Uint8Array([1])).sig, undefined);
  assert.equal(cpuWrite(p, B + 0x10000, new Uint8Array([2])).sig, undefined);
  assert.equal(p.mm.vmas.lookup(B + 0x10000)!.anonVma, p.mm.vmas.lookup(B + 0xd000)!.anonVma);
  assert.equal(sys(p, "mprotect", BigInt(B + 0xe000), 0x3000n, RW | PROT_EXEC), 0);
  assert.deepEqual(windowMaps(p).map((l) => l.slice(0, 30)), [
    "7f000000d000-7f0000011000 rwxp",
    "7f0000011000-7f0000012000 rw-p",
  ]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("MADV_FREE queues pages on the lazyfree batch: Referenced until an mlock_fixup drains it", () => {
  // mm/swap.c: folio_mark_lazyfree() / lru_lazyfree(); mm/mlock.c:
  // mlock_vma_pages_range() calls lru_add_drain() even when the mlock
  // then fails with ENOMEM at a hole.
  const m = new Machine();
  const p = m.init;
  const a = B + 0x15000;
  mmap(p, a, 0x4000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE);
  assert.equal(sys(p, "madvise", BigInt(a + 0x1000), 0x3000n, MADV_FREE), 0);
  assert.equal(smapsField(p, a, "Referenced"), 16);
  const s = B + 0xb000;
  mmap(p, s, 0x3000, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
  assert.equal(sys(p, "mlock", BigInt(s), 0x4000n), -ENOMEM);
  assert.equal(smapsField(p, a, "Referenced"), 4);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("populating a clean (MADV_FREE) page for write marks it dirty again", () => {
  // mm/gup.c: follow_page_pte(), FOLL_WRITE | FOLL_TOUCH: folio_mark_dirty().
  const m = new Machine();
  const p = m.init;
  mmap(p, B, 0x4000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE);
  assert.equal(sys(p, "madvise", BigInt(B), 0x4000n, MADV_FREE), 0);
  assert.equal(smapsField(p, B, "Private_Dirty"), 0);
  assert.equal(sys(p, "madvise", BigInt(B), 0x1000n, MADV_POPULATE_WRITE), 0);
  assert.equal(sys(p, "mlock", BigInt(B + 0x1000), 0x1000n), 0);
  assert.equal(smapsField(p, B, "Private_Dirty"), 4);
  assert.equal(smapsField(p, B + 0x1000, "Private_Dirty"), 4);
});

Deno.test("munmap keeps a page table whose 2 MiB still holds another VMA: fault-around maps into it", () => {
  // mm/memory.c: free_pgtables() / free_pgd_range() with floor and ceiling.
  const m = new Machine();
  const p = m.init;
  installStdio(p);
  mmap(p, B, 0x7000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  const fd = sys(p, "open", "/tmp/f", O_RDWR | O_CREAT, 0o644);
  assert.equal(sys(p, "pwrite", fd, "file data", 9, 0x5000), 9);
  mmap(p, B + 0x7000, 0x5000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(cpuWrite(p, B + 0x8000, new Uint8Array([1])).sig, undefined);
  // Unmapping the second VMA leaves [B, B + 0x2000) in the same PTE table.
  assert.equal(sys(p, "munmap", BigInt(B + 0x2000), 0x5000n), 0);
  assert.notEqual(p.mm.pt.table(B / 4096, false), undefined);
  mmap(p, B + 0x2000, 0x1c000, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0x4000);
  // A fault past EOF still maps the cached EOF page by fault-around.
  assert.equal(cpuRead(p, B + 0x6000, 1).sig?.signo, 7);
  assert.equal(smapsField(p, B + 0x2000, "Rss"), 4);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("MADV_FREE drains before each VMA; munmap does not drain", () => {
  // mm/madvise.c: madvise_free_single_vma() starts with lru_add_drain();
  // mm/vma.c: vms_clear_ptes() of 6.18.44 has none.
  const m = new Machine();
  const p = m.init;
  const a = B + 0x8000;
  mmap(p, a, 0x3000, RW | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE);
  assert.equal(sys(p, "mprotect", BigInt(a + 0x1000), 0x1000n, PROT_WRITE), 0);
  mmap(p, B + 0x20000, 0x1000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE);
  assert.equal(sys(p, "madvise", BigInt(B + 0x7000), 0xf000n, MADV_FREE), -ENOMEM);
  assert.deepEqual([a, a + 0x1000, a + 0x2000].map((x) => smapsField(p, x, "Referenced")), [
    0,
    0,
    4,
  ]);
  assert.equal(sys(p, "munmap", BigInt(B + 0x20000), 0x1000n), 0);
  assert.equal(smapsField(p, a + 0x2000, "Referenced"), 4);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("zapping an anonymous page does not make it dirty: a child's exit leaves it clean", () => {
  // mm/memory.c: zap_present_folio_ptes() moves the PTE dirty bit to file folios only.
  const m = new Machine();
  const p = m.init;
  mmap(p, B, 0x8000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(cpuWrite(p, B + 0x2000, new Uint8Array([1])).sig, undefined);
  const c = sys(p, "fork");
  assert.ok(c > 0);
  assert.equal(sys(p, "madvise", BigInt(B + 0x1000), 0x7000n, MADV_FREE), 0);
  assert.equal(sys(m.process(c)!, "exit", 0), 0);
  assert.equal(smapsField(p, B, "Private_Dirty"), 0);
  assert.equal(smapsField(p, B, "Private_Clean"), 4);
});

Deno.test("mprotect making a VM_LOCKONFAULT mapping writable populates nothing", () => {
  // mm/mprotect.c: mprotect_fixup() -> populate_vma_page_range() returns at once for VM_LOCKONFAULT.
  const m = new Machine();
  const p = m.init;
  mmap(p, B, 0x4000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(sys(p, "mlock2", BigInt(B), 0x4000n, 1), 0);
  assert.equal(sys(p, "mprotect", BigInt(B), 0x4000n, PROT_WRITE), 0);
  assert.equal(smapsField(p, B, "Rss"), 0);
  assert.equal(sys(p, "mlock", BigInt(B), 0x4000n), 0);
  assert.equal(sys(p, "mprotect", BigInt(B), 0x4000n, PROT_READ), 0);
  assert.equal(sys(p, "mprotect", BigInt(B), 0x4000n, RW), 0);
  assert.equal(smapsField(p, B, "Rss"), 16, "VM_LOCKED without ONFAULT still breaks COW");
});
