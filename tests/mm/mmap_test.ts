/**
 * mmap(2): the check order of linux-mm.md §2.1, flags of §2.2, placement of
 * §2.4 and merging of §0.3. Labels (M2a...) name the probes of the contract.
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, mapsLines, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EBADF, EEXIST, EINVAL, ENOMEM, EOVERFLOW } from "../../lib/abi/errno.ts";
import { fileMmapOk } from "../../lib/mm/mmap.ts";
import { committedPages } from "../../lib/mm/accounting.ts";
import { smapsVmFlags, windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const RW = PROT_READ | PROT_WRITE;
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

Deno.test("mmap: an unaligned offset is EINVAL before anything else, even the fd (M2a, T1)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 0n, RW, MAP_PRIVATE, 99, 1n), -EINVAL);
});

Deno.test("mmap: a bad fd is EBADF even with len 0 (M2b)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 0n, RW, MAP_PRIVATE, 99), -EBADF);
});

Deno.test("mmap: len 0 is EINVAL; a length rounding past 2^64 is ENOMEM (M2c, M7b)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 0n, RW, ANON), -EINVAL);
  assert.equal(mmap(m, 0n, 0xfffffffffffff001n, RW, ANON), -ENOMEM);
  assert.equal(mmap(m, 0n, 0x800000000000n, RW, ANON), -ENOMEM); // len > TASK_SIZE (M7a)
});

Deno.test("mmap: MAP_FIXED above the user range is ENOMEM, unaligned is EINVAL (M7d, M3a)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0x7ffffffff000n, 0x1000n, RW, ANON | MAP_FIXED), -ENOMEM);
  assert.equal(mmap(m, B + 1n, 0x1000n, RW, ANON | MAP_FIXED), -EINVAL);
  assert.equal(mmap(m, B + 1n, 0x1000n, RW, ANON | MAP_FIXED_NOREPLACE), -EINVAL);
});

Deno.test("mmap: MAP_FIXED_NOREPLACE refuses any overlap (M3c, M3d)", () => {
  const m = new Machine();
  assert.equal(mmap(m, B, 0x2000n, RW, ANON | MAP_FIXED_NOREPLACE), Number(B));
  assert.equal(mmap(m, B + 0x1000n, 0x2000n, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST);
  assert.equal(mmap(m, B - 0x1000n, 0x2000n, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST);
});

Deno.test("mmap: anonymous types: SHARED_VALIDATE and no type are EINVAL; shared growsdown EINVAL (M2f, M2g, M9g)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 0x1000n, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS), -EINVAL);
  assert.equal(mmap(m, 0n, 0x1000n, RW, MAP_ANONYMOUS), -EINVAL);
  assert.equal(mmap(m, 0n, 0x1000n, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN), -EINVAL);
  assert.equal(mmap(m, 0n, 0x1000n, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_LOCKED), -EINVAL);
});

Deno.test("mmap: unknown prot bits and unknown flags are ignored for private mappings (M2k, M2i)", () => {
  const m = new Machine();
  assert.equal(mmap(m, B, 0x1000n, 0x80 | PROT_READ, ANON | MAP_FIXED), Number(B));
  assert.equal(
    mmap(m, B + 0x10000n, 0x1000n, RW, ANON | MAP_FIXED | 0x400000),
    Number(B + 0x10000n),
  );
});

Deno.test("mmap: anonymous MAP_HUGETLB with no huge pages reserved is ENOMEM (checked on 6.18.44)", () => {
  const m = new Machine();
  assert.equal(mmap(m, 0n, 0x1000n, RW, ANON | MAP_HUGETLB), -ENOMEM);
});

Deno.test("mmap: VmFlags for private, read-only, shared, noreserve, droppable, growsdown, stack mappings", () => {
  const m = new Machine();
  const cases: [number, number, string][] = [
    [RW, ANON, "rd wr mr mw me ac "],
    [PROT_READ, ANON, "rd mr mw me "],
    [RW, MAP_SHARED | MAP_ANONYMOUS, "rd wr sh mr mw me ms "],
    [RW, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, "rd wr sh mr mw me ms nr "],
    [RW, ANON | MAP_NORESERVE, "rd wr mr mw me nr "],
    [RW, MAP_DROPPABLE | MAP_ANONYMOUS, "rd wr mr mw me nr wf dd dp "],
    [RW, ANON | MAP_GROWSDOWN, "rd wr mr mw me gd ac "],
    [PROT_READ, ANON | MAP_STACK, "rd mr mw me nh "],
  ];
  cases.forEach(([prot, flags, want], i) => {
    const a = B + BigInt(i) * 0x10000n;
    assert.equal(mmap(m, a, 0x2000n, prot, flags | MAP_FIXED), Number(a));
    assert.equal(smapsVmFlags(m.init, Number(a)), want, `case ${i}`);
  });
});

Deno.test("mmap: shared anonymous memory is /dev/zero (deleted) on 00:01 and never merges (M6j, M10)", () => {
  const m = new Machine();
  mmap(m, B, 0x1000n, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  mmap(m, B + 0x1000n, 0x1000n, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  const lines = windowMaps(m.init);
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^7f0000000000-7f0000001000 rw-s 00000000 00:01 \d+ +\/dev\/zero \(deleted\)$/,
  );
  assert.equal(lines[0].indexOf("/dev/zero"), 73);
});

Deno.test("mmap: NULL-hint anonymous mappings go top-down and pack tightly (M5c)", () => {
  const m = new Machine();
  const a = mmap(m, 0n, 0x1000n, PROT_READ, ANON);
  const b = mmap(m, 0n, 0x1000n, PROT_READ, ANON);
  assert.equal(a - b, 0x1000);
  assert.ok(a < 0x7ffff7fff000 && a > 0x7ff000000000);
});

Deno.test("mmap: a hint is rounded down and used when free; refused inside the stack guard gap (M5a, X1)", () => {
  const m = new Machine();
  assert.equal(mmap(m, B + 0x123n, 0x1000n, RW, ANON), Number(B));
  // [stack] starts at 0x7ffffffde000 and is VM_GROWSDOWN: the 1 MiB below it is its guard gap.
  const inGap = 0x7ffffffde000n - 0x80000n;
  const r = mmap(m, inGap, 0x1000n, RW, ANON);
  assert.notEqual(r, Number(inGap));
  const edge = 0x7ffffffde000n - 0x100000n - 0x1000n;
  assert.equal(mmap(m, edge, 0x1000n, RW, ANON), Number(edge)); // ends exactly at the gap (X1c)
});

Deno.test("mmap: 2 MiB multiples without a hint are PMD aligned (THP, p_aslr_layout)", () => {
  const m = new Machine();
  const a = mmap(m, 0n, 0x400000n, RW, ANON);
  assert.equal(a % 0x200000, 0);
  assert.equal(a, 0x7ffff7800000); // what the real kernel returned for 4 MiB
});

Deno.test("mmap: MAP_FIXED replaces existing pages with zero-filled ones (M4d) and re-merges (M4a)", () => {
  const m = new Machine();
  const p = m.init;
  mmap(m, B, 0x3000n, RW, ANON | MAP_FIXED);
  cpuWrite(p, B + 0x1000n, new Uint8Array([0x41]));
  syscall(p, "mmap", [B + 0x1000n, 0x1000n, RW, ANON | MAP_FIXED, -1, 0]);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000003000 rw-p 00000000 00:00 0 "]);
  assert.deepEqual([...cpuRead(p, B + 0x1000n, 1).bytes!], [0]);
});

Deno.test("mmap: MAP_POPULATE write-faults a private writable mapping; MAP_LOCKED shows lo (M9a, M9h)", () => {
  const m = new Machine();
  const free0 = m.frames.freeCount;
  mmap(m, B, 0x4000n, RW, ANON | MAP_FIXED | MAP_POPULATE);
  assert.equal(free0 - m.frames.freeCount, 4);
  mmap(m, B + 0x10000n, 0x1000n, RW, ANON | MAP_FIXED | MAP_LOCKED);
  assert.equal(smapsVmFlags(m.init, Number(B + 0x10000n)), "rd wr mr mw me lo ac ");
});

Deno.test("mmap: map_count may reach max_map_count + 1, then ENOMEM (p_maps)", () => {
  const m = new Machine({ sysctl: { maxMapCount: 40 } });
  const p = m.init;
  let n = p.mm.mapCount;
  for (let i = 0; n <= 40; i++) {
    // Alternate prot so that neighbours never merge.
    const r = mmap(m, B + BigInt(i) * 0x1000n, 0x1000n, i % 2 ? PROT_READ : RW, ANON | MAP_FIXED);
    assert.ok(r > 0, `mapping ${i} at count ${n}`);
    n = p.mm.mapCount;
  }
  assert.equal(n, 41);
  assert.equal(mmap(m, B + 0x100000n, 0x1000n, RW, ANON | MAP_FIXED), -ENOMEM);
});

Deno.test("mmap: the initial image matches a real no-ASLR process layout", () => {
  const m = new Machine();
  const lines = mapsLines(m.init);
  assert.equal(
    lines[0],
    "555555554000-555555556000 r--p 00000000 fe:00 260001                     /usr/bin/prog",
  );
  assert.ok(lines.some((l) => l.endsWith(" [heap]")));
  assert.equal(
    lines.at(-2),
    "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]",
  );
  assert.equal(
    lines.at(-1),
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
  );
});

Deno.test("mmap: file_mmap_ok() keeps the last page below MAX_LFS_FILESIZE out of reach", () => {
  // mm/mmap.c file_mmap_ok(): pgoff <= (MAX_LFS_FILESIZE - len) >> PAGE_SHIFT.
  const m = new Machine();
  const fd = syscall(m.init, "open", ["/tmp/f", O_RDWR | O_CREAT, 0o644]).ret;
  const mfd = syscall(m.init, "memfd_create", ["x", 0]).ret;
  for (const f of [fd, mfd]) {
    assert.equal(mmap(m, 0n, 0x1000n, PROT_READ, MAP_SHARED, f, 0x7ffffffffffff000n), -EOVERFLOW);
    assert.equal(mmap(m, 0n, 0x2000n, PROT_READ, MAP_SHARED, f, 0x7fffffffffffe000n), -EOVERFLOW);
    assert.ok(mmap(m, 0n, 0x1000n, PROT_READ, MAP_SHARED, f, 0x7fffffffffffe000n) > 0);
  }
  assert.equal(fileMmapOk("chardev", 2 ** 52 - 2, 0x1000n), true); // ULONG_MAX for others
  assert.equal(fileMmapOk("chardev", 2 ** 52 - 1, 0x1000n), false);
});

Deno.test("mmap: ext4 files are placed by thp_get_unmapped_area, shmem files are not", () => {
  const m = new Machine();
  const fd = syscall(m.init, "open", ["/tmp/f", O_RDWR | O_CREAT, 0o644]).ret;
  const mfd = syscall(m.init, "memfd_create", ["x", 0]).ret;
  const a = mmap(m, 0n, 0x1000n, PROT_READ, ANON);
  // 2 MiB of the file at offset 0: aligned, below the 4K one.
  const b = mmap(m, 0n, 0x200000n, PROT_READ, MAP_SHARED, fd);
  assert.equal(b % 0x200000, 0);
  assert.ok(b < a);
  // Offset 4K, 2M + 4K long: the address agrees with the offset modulo 2 MiB.
  const c = mmap(m, 0n, 0x201000n, PROT_READ, MAP_PRIVATE, fd, 0x1000n);
  assert.equal(c % 0x200000, 0x1ff000);
  // Less than a whole aligned 2 MiB of the file: plain placement, just below c.
  const d = mmap(m, 0n, 0x200000n, PROT_READ, MAP_PRIVATE, fd, 0x1000n);
  assert.equal(d, c - 0x200000);
  // A memfd is not aligned: it lands right below d.
  const e = mmap(m, 0n, 0x200000n, PROT_READ, MAP_SHARED, mfd);
  assert.equal(e, d - 0x200000);
  // A hint with room for len but not len + 2M is passed over.
  assert.equal(mmap(m, B + 0x200000n, 0x1000n, PROT_READ, ANON | MAP_FIXED), Number(B) + 0x200000);
  const f = mmap(m, B, 0x200000n, PROT_READ, MAP_SHARED, fd);
  assert.notEqual(f, Number(B));
  assert.equal(f % 0x200000, 0);
});

Deno.test("mmap: shared anonymous memory is charged once, for its size (shmem_acct_size)", () => {
  const m = new Machine();
  const p = m.init;
  const c0 = committedPages(p.mm);
  // More than RAM under heuristic overcommit: ENOMEM, read-only or not.
  assert.equal(mmap(m, 0n, 2n << 30n, PROT_READ, MAP_SHARED | MAP_ANONYMOUS), -ENOMEM);
  assert.ok(mmap(m, 0n, 2n << 30n, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE) > 0);
  assert.equal(committedPages(p.mm), c0);
  const a = mmap(m, B, 0x10000n, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
  assert.equal(committedPages(p.mm), c0 + 16);
  // Split by mprotect and shared with a child: still one object of 16 pages.
  assert.equal(syscall(p, "mprotect", [B, 0x1000n, 0]).ret, 0);
  assert.ok(syscall(p, "fork", []).ret > 0);
  assert.equal(committedPages(p.mm), 2 * c0 + 16); // the child's own private memory, once more
  const c1 = committedPages(p.mm);
  // A memfd is VM_NORESERVE: no charge for its size.
  const fd = syscall(p, "memfd_create", ["x", 0]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, 0x100000n]).ret, 0);
  mmap(m, B + 0x100000n, 0x100000n, RW, MAP_SHARED | MAP_FIXED, fd);
  assert.equal(committedPages(p.mm), c1);
  assert.equal(syscall(p, "munmap", [BigInt(a), 0x10000n]).ret, 0);
  assert.equal(committedPages(p.mm), c1); // the child still maps it
});
