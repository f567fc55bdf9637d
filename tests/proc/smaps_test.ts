/**
 * /proc/PID/smaps against what Linux 6.18.44 printed for the same
 * situations (C probes run under `setarch -R` on this machine: mmap at
 * 0x7f0000000000 with MAP_FIXED_NOREPLACE, touch, fork, read smaps).
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, mman, smapsLines, syscall } from "../../mod.ts";
import {
  ANON,
  B,
  fresh,
  map,
  PG,
  RW,
  SHANON,
  smapsBlock,
  smapsField,
  smapsFields,
} from "./helpers.ts";

/** A whole smaps block with the given numbers (kB) and VmFlags. */
function block(header: string, f: Record<string, number>, thp: number, flags: string): string[] {
  const v = (k: string) => String(f[k] ?? 0).padStart(8, " ") + " kB";
  return [
    header,
    "Size:           " + v("Size"),
    "KernelPageSize:        4 kB",
    "MMUPageSize:           4 kB",
    "Rss:            " + v("Rss"),
    "Pss:            " + v("Pss"),
    "Pss_Dirty:      " + v("Pss_Dirty"),
    "Shared_Clean:   " + v("Shared_Clean"),
    "Shared_Dirty:   " + v("Shared_Dirty"),
    "Private_Clean:  " + v("Private_Clean"),
    "Private_Dirty:  " + v("Private_Dirty"),
    "Referenced:     " + v("Referenced"),
    "Anonymous:      " + v("Anonymous"),
    "KSM:                   0 kB",
    "LazyFree:              0 kB",
    "AnonHugePages:         0 kB",
    "ShmemPmdMapped:        0 kB",
    "FilePmdMapped:         0 kB",
    "Shared_Hugetlb:        0 kB",
    "Private_Hugetlb:       0 kB",
    "Swap:                  0 kB",
    "SwapPss:               0 kB",
    "Locked:         " + v("Locked"),
    "THPeligible:           " + thp,
    "VmFlags: " + flags,
  ];
}

const ANON_HEAD = "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ";

Deno.test("smaps: a fresh private anonymous mapping has no pages", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  assert.deepEqual(smapsBlock(p, B), block(ANON_HEAD, { Size: 16 }, 0, "rd wr mr mw me ac "));
});

Deno.test("smaps: two written pages are private dirty anonymous memory", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  const written = {
    Size: 16,
    Rss: 8,
    Pss: 8,
    Pss_Dirty: 8,
    Private_Dirty: 8,
    Referenced: 8,
    Anonymous: 8,
  };
  assert.deepEqual(smapsBlock(p, B), block(ANON_HEAD, written, 0, "rd wr mr mw me ac "));
  // A read of a third page maps the shared zero page: Rss does not change (§7.3 ✔ F7).
  cpuRead(p, B + 2 * PG, 1);
  assert.deepEqual(smapsBlock(p, B), block(ANON_HEAD, written, 0, "rd wr mr mw me ac "));
});

Deno.test("smaps: a read fault alone maps the zero page, which is not in Rss", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  for (let i = 0; i < 4; i++) cpuRead(p, B + i * PG, 1);
  assert.equal(smapsField(p, B, "Rss"), "0 kB");
  assert.equal(smapsField(p, B, "Referenced"), "0 kB");
  // Writing to a zero-page PTE: COW from the zero page, a new private page.
  cpuWrite(p, B + PG, new Uint8Array([7]));
  assert.deepEqual(smapsFields(p, B, ["Rss", "Private_Dirty", "Anonymous"]), [
    "Rss=4 kB",
    "Private_Dirty=4 kB",
    "Anonymous=4 kB",
  ]);
});

Deno.test("smaps: the [vsyscall] gate area comes last, with VmFlags ex", () => {
  const [, p] = fresh();
  const lines = smapsLines(p);
  assert.deepEqual(
    lines.slice(-25),
    block(
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
      { Size: 4 },
      0,
      "ex ",
    ),
  );
  // One block of 25 lines per VMA, then the gate area.
  assert.equal(lines.length, 25 * (p.mm.mapCount + 1));
});

Deno.test("smaps: the initial image's special mappings", () => {
  const [, p] = fresh();
  assert.deepEqual(
    smapsBlock(p, 0x7ffff7fc2000),
    block(
      "7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]",
      { Size: 16 },
      0,
      "rd mr pf io de dd ",
    ),
  );
  assert.equal(smapsField(p, 0x7ffff7fc8000, "VmFlags"), "rd ex mr mw me de");
  assert.equal(smapsField(p, 0x7ffffffde000, "VmFlags"), "rd wr mr mw me gd ac");
  assert.equal(smapsField(p, 0x7ffffffde000, "Size"), "132 kB");
});

Deno.test("smaps: shared anonymous memory is shmem: not Anonymous, private while mapped once", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, SHANON);
  cpuWrite(p, B, new Uint8Array([1]));
  const b = smapsBlock(p, B);
  assert.match(
    b[0],
    /^7f0000000000-7f0000004000 rw-s 00000000 00:01 \d+ +\/dev\/zero \(deleted\)$/,
  );
  assert.deepEqual(smapsFields(p, B, ["Rss", "Pss", "Private_Dirty", "Anonymous", "VmFlags"]), [
    "Rss=4 kB",
    "Pss=4 kB",
    "Private_Dirty=4 kB",
    "Anonymous=0 kB",
    "VmFlags=rd wr sh mr mw me ms",
  ]);
});

Deno.test("smaps: a file page mapped twice is shared; a private write is anonymous (✔ probe p9)", () => {
  const [, p] = fresh();
  const fd = syscall(p, "open", ["/tmp/f3", 0o102, 0o644]).ret;
  assert.ok(fd >= 0);
  assert.equal(syscall(p, "ftruncate", [fd, 0x2000]).ret, 0);
  const F = mman.MAP_FIXED_NOREPLACE;
  map(p, B, 2 * PG, RW, mman.MAP_PRIVATE | F, fd);
  map(p, B + 0x100000, 2 * PG, RW, mman.MAP_SHARED | F, fd);
  cpuRead(p, B, 1);
  cpuWrite(p, B + PG, new Uint8Array([1]));
  cpuWrite(p, B + 0x100000, new Uint8Array([1]));
  const names = [
    "Rss",
    "Pss",
    "Pss_Dirty",
    "Shared_Clean",
    "Shared_Dirty",
    "Private_Clean",
    "Private_Dirty",
    "Referenced",
    "Anonymous",
    "VmFlags",
  ];
  assert.deepEqual(smapsFields(p, B, names), [
    "Rss=8 kB",
    "Pss=6 kB",
    "Pss_Dirty=6 kB",
    "Shared_Clean=0 kB",
    "Shared_Dirty=4 kB",
    "Private_Clean=0 kB",
    "Private_Dirty=4 kB",
    "Referenced=8 kB",
    "Anonymous=4 kB",
    "VmFlags=rd wr mr mw me ac",
  ]);
  assert.deepEqual(smapsFields(p, B + 0x100000, names), [
    "Rss=4 kB",
    "Pss=2 kB",
    "Pss_Dirty=2 kB",
    "Shared_Clean=0 kB",
    "Shared_Dirty=4 kB",
    "Private_Clean=0 kB",
    "Private_Dirty=0 kB",
    "Referenced=4 kB",
    "Anonymous=0 kB",
    "VmFlags=rd wr sh mr mw me ms",
  ]);
});

Deno.test("smaps: THPeligible follows MADV_HUGEPAGE and 2 MiB room (THP madvise mode)", () => {
  const [, p] = fresh();
  const M = 0x100000;
  const hp = (addr: number, len: number) =>
    assert.equal(syscall(p, "madvise", [BigInt(addr), BigInt(len), mman.MADV_HUGEPAGE]).ret, 0);
  map(p, B, 0x400000, RW, ANON);
  map(p, B + 0x10 * M, 0x200000, RW, ANON);
  hp(B + 0x10 * M, 0x200000);
  map(p, B + 0x20 * M + PG, 0x200000, RW, ANON);
  hp(B + 0x20 * M + PG, 0x200000);
  map(p, B + 0x30 * M + PG, 0x401000, RW, ANON);
  hp(B + 0x30 * M + PG, 0x401000);
  map(p, B + 0x40 * M, PG, RW, ANON);
  hp(B + 0x40 * M, PG);
  map(p, B + 0x50 * M, 0x200000, mman.PROT_NONE, ANON);
  hp(B + 0x50 * M, 0x200000);
  map(p, B + 0x70 * M, 0x200000, RW, SHANON);
  hp(B + 0x70 * M, 0x200000);
  map(p, B + 0x90 * M, 0x200000, RW, ANON | mman.MAP_STACK);
  const thp = (a: number) => smapsField(p, a, "THPeligible") + " " + smapsField(p, a, "VmFlags");
  assert.equal(thp(B), "0 rd wr mr mw me ac"); // no MADV_HUGEPAGE
  assert.equal(thp(B + 0x10 * M), "1 rd wr mr mw me ac hg");
  assert.equal(thp(B + 0x20 * M + PG), "0 rd wr mr mw me ac hg"); // no aligned 2 MiB inside
  assert.equal(thp(B + 0x30 * M + PG), "1 rd wr mr mw me ac hg");
  assert.equal(thp(B + 0x40 * M), "0 rd wr mr mw me ac hg");
  assert.equal(thp(B + 0x50 * M), "1 mr mw me hg"); // PROT_NONE does not matter
  assert.equal(thp(B + 0x70 * M), "0 rd wr sh mr mw me ms hg"); // shmem THP: never
  assert.equal(thp(B + 0x90 * M), "0 rd wr mr mw me ac nh"); // MAP_STACK sets VM_NOHUGEPAGE
  hp(B + 0x90 * M, 0x200000);
  assert.equal(thp(B + 0x90 * M), "1 rd wr mr mw me ac hg");
  hp(B, 0x400000);
  assert.equal(thp(B), "1 rd wr mr mw me ac hg");
});

Deno.test("smaps: MAP_LOCKED populates and counts Locked (✔ probe p1/p10)", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON | mman.MAP_LOCKED);
  assert.deepEqual(smapsFields(p, B, ["Rss", "Pss", "Private_Dirty", "Locked", "VmFlags"]), [
    "Rss=16 kB",
    "Pss=16 kB",
    "Private_Dirty=16 kB",
    "Locked=16 kB",
    "VmFlags=rd wr mr mw me lo ac",
  ]);
});

Deno.test("smaps: mlock faults the zero page out and Locked equals Pss (✔ probe p1)", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  cpuRead(p, B + 2 * PG, 1);
  assert.equal(syscall(p, "mlock", [BigInt(B), BigInt(4 * PG)]).ret, 0);
  const locked = {
    Size: 16,
    Rss: 16,
    Pss: 16,
    Pss_Dirty: 16,
    Private_Dirty: 16,
    Referenced: 16,
    Anonymous: 16,
    Locked: 16,
  };
  assert.deepEqual(smapsBlock(p, B), block(ANON_HEAD, locked, 0, "rd wr mr mw me lo ac "));
});

Deno.test("smaps: mprotect(PROT_NONE) keeps the pages in Rss", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  assert.equal(syscall(p, "mprotect", [BigInt(B), BigInt(4 * PG), mman.PROT_NONE]).ret, 0);
  const b = smapsBlock(p, B);
  assert.equal(b[0], "7f0000000000-7f0000004000 ---p 00000000 00:00 0 ");
  assert.deepEqual(smapsFields(p, B, ["Rss", "Pss", "Private_Dirty", "Anonymous", "VmFlags"]), [
    "Rss=8 kB",
    "Pss=8 kB",
    "Private_Dirty=8 kB",
    "Anonymous=8 kB",
    "VmFlags=mr mw me ac",
  ]);
});

// --- fork (needs sysFork) -------------------------------------------------

/** Parent with 2 written pages and 1 zero-page read in [B, B+16K). */
function forkSetup() {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuWrite(p, B + PG, new Uint8Array([1]));
  cpuRead(p, B + 2 * PG, 1);
  return { m, p };
}

const SHARED8 = {
  Size: 16,
  Rss: 8,
  Pss: 4,
  Pss_Dirty: 4,
  Shared_Dirty: 8,
  Referenced: 8,
  Anonymous: 8,
};

Deno.test("smaps after fork: both sides share the pages COW, Pss halves (✔ probe p1)", () => {
  const { m, p } = forkSetup();
  const pid = syscall(p, "fork", []).ret;
  assert.ok(pid > 1);
  const c = m.process(pid)!;
  assert.deepEqual(smapsBlock(p, B), block(ANON_HEAD, SHARED8, 0, "rd wr mr mw me ac "));
  // The child's PTEs are old (copy_present_pte: pte_mkold): Referenced 0.
  assert.deepEqual(
    smapsBlock(c, B),
    block(ANON_HEAD, { ...SHARED8, Referenced: 0 }, 0, "rd wr mr mw me ac "),
  );
});

Deno.test("smaps after fork: the child's write copies one page (✔ probe p1)", () => {
  const { m, p } = forkSetup();
  const c = m.process(syscall(p, "fork", []).ret)!;
  cpuWrite(c, B, new Uint8Array([2]));
  assert.deepEqual(
    smapsBlock(c, B),
    block(
      ANON_HEAD,
      {
        Size: 16,
        Rss: 8,
        Pss: 6,
        Pss_Dirty: 6,
        Shared_Dirty: 4,
        Private_Dirty: 4,
        Referenced: 4,
        Anonymous: 8,
      },
      0,
      "rd wr mr mw me ac ",
    ),
  );
});

Deno.test("smaps after fork: three mappers divide Pss by 3; after exits all is private again", () => {
  const { m, p } = forkSetup();
  const c1 = m.process(syscall(p, "fork", []).ret)!;
  const c2 = m.process(syscall(p, "fork", []).ret)!;
  // (4096 << 12) / 3 per page, summed, >> 12, >> 10: 2 kB (✔ probe p1).
  assert.deepEqual(
    smapsBlock(p, B),
    block(ANON_HEAD, { ...SHARED8, Pss: 2, Pss_Dirty: 2 }, 0, "rd wr mr mw me ac "),
  );
  syscall(c1, "exit", [0]);
  syscall(c2, "exit", [0]);
  assert.deepEqual(smapsLines(c1), []); // a zombie has no mm
  assert.deepEqual(
    smapsBlock(p, B),
    block(
      ANON_HEAD,
      { Size: 16, Rss: 8, Pss: 8, Pss_Dirty: 8, Private_Dirty: 8, Referenced: 8, Anonymous: 8 },
      0,
      "rd wr mr mw me ac ",
    ),
  );
});

Deno.test("smaps: a page written by pwrite is dirty in the page cache (✔ probe p8)", () => {
  const [, p] = fresh();
  const fd = syscall(p, "open", ["/tmp/hello", 0o102, 0o644]).ret;
  assert.equal(syscall(p, "pwrite", [fd, "hello", 5, 0]).ret, 5);
  map(p, B, PG, mman.PROT_READ, mman.MAP_PRIVATE | mman.MAP_FIXED_NOREPLACE, fd);
  cpuRead(p, B, 1);
  const names = ["Rss", "Pss", "Pss_Dirty", "Private_Clean", "Private_Dirty", "Anonymous"];
  assert.deepEqual(smapsFields(p, B, names), [
    "Rss=4 kB",
    "Pss=4 kB",
    "Pss_Dirty=4 kB",
    "Private_Clean=0 kB",
    "Private_Dirty=4 kB",
    "Anonymous=0 kB",
  ]);
});

// Pending an MMU change outside lib/proc: on x86 the CPU sets the PTE's
// accessed and dirty bits on every access through a present PTE. A shmem
// page mapped writable by a read fault and then written is dirty (✔ probe
// p8: Private_Dirty 8 kB); mmlab's cpuWrite does not set PTE_DIRTY there.
Deno.test({
  name: "smaps: a shmem page read, then written through the writable PTE, is dirty",
  fn() {
    const [, p] = fresh();
    map(p, B, 2 * PG, RW, SHANON);
    cpuRead(p, B, 1);
    cpuWrite(p, B, new Uint8Array([1]));
    cpuWrite(p, B + PG, new Uint8Array([1]));
    assert.deepEqual(smapsFields(p, B, ["Rss", "Private_Clean", "Private_Dirty"]), [
      "Rss=8 kB",
      "Private_Clean=0 kB",
      "Private_Dirty=8 kB",
    ]);
  },
});
