/**
 * fallocate(2): the check order probed on Linux 6.18.44; PUNCH_HOLE (data
 * reads zero through mappings, private COW copies survive), ZERO_RANGE,
 * COLLAPSE_RANGE and INSERT_RANGE on ext4; tmpfs (memfd) supporting only
 * allocation and holes.
 */
import assert from "node:assert/strict";
import { EBADF, EFBIG, EINVAL, EOPNOTSUPP } from "../../lib/abi/errno.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
} from "../../lib/abi/mman.ts";
import {
  FALLOC_FL_COLLAPSE_RANGE,
  FALLOC_FL_INSERT_RANGE,
  FALLOC_FL_UNSHARE_RANGE,
  FALLOC_FL_WRITE_ZEROES,
  FALLOC_FL_ZERO_RANGE,
} from "../../lib/fs/syscalls.ts";
import {
  B,
  byteAt,
  fillFile,
  loadSig,
  machine,
  map,
  open,
  peek,
  poke,
  pread,
  PRIVATE,
  RW,
  SHARED,
  SIGBUS,
  sys,
} from "./helpers.ts";

const PUNCH = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
const KEEP = FALLOC_FL_KEEP_SIZE;

function size(p: Parameters<typeof sys>[0], fd: number): number {
  // The size through pread: read everything.
  const r = pread(p, fd, 0x100000, 0);
  return typeof r === "string" ? r.length : r;
}

Deno.test("fallocate: errno rows in the kernel's order (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  const ro = open(p, "/tmp/f", O_RDONLY);
  assert.equal(sys(p, "fallocate", 100, 0, 0, 0), -EBADF); // the fd first
  assert.equal(sys(p, "fallocate", fd, 0, 0, 0), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, 0, 0, -1), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, 0, -1, 10), -EINVAL);
  assert.equal(sys(p, "fallocate", ro, 0, 0, 10), -EBADF);
  assert.equal(sys(p, "fallocate", ro, PUNCH, 0, 10), -EBADF);
  // The mode is checked before the access mode, after offset/len.
  assert.equal(sys(p, "fallocate", ro, FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", ro, FALLOC_FL_PUNCH_HOLE, 0, 0), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, 0x100, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, 0x100, 0, 0), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, 4, 0, 10), -EOPNOTSUPP); // NO_HIDE_STALE
  assert.equal(sys(p, "fallocate", fd, 7, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, PUNCH | FALLOC_FL_ZERO_RANGE, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE | KEEP, 0, 4096), -EOPNOTSUPP);
  // s_maxbytes (ext4: 0xffffffff000), with or without KEEP_SIZE, and overflow.
  assert.equal(sys(p, "fallocate", fd, 0, 0xffffffff000, 2), -EFBIG);
  assert.equal(sys(p, "fallocate", fd, KEEP, 0xffffffff000, 2), -EFBIG);
  assert.equal(sys(p, "fallocate", fd, 0, 0x7fffffffffffffffn, 2), -EFBIG);
  // ext4 has no UNSHARE_RANGE, and this disk no WRITE_ZEROES.
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_WRITE_ZEROES, 0, 4096), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_ZERO_RANGE, 0, 10), 0);
  // tmpfs: only allocation and holes.
  const mf = sys(p, "memfd_create", "t", 0);
  assert.equal(sys(p, "fallocate", mf, FALLOC_FL_ZERO_RANGE, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", mf, FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", mf, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), -EOPNOTSUPP);
  assert.equal(sys(p, "fallocate", mf, KEEP, 0x7ffffffffffffff0n, 0x10), -EFBIG);
  assert.equal(sys(p, "fallocate", mf, KEEP, 0x7fffffffff000000n, 0x10), 0);
});

Deno.test("fallocate mode 0 grows the file, KEEP_SIZE does not; a hole past EOF is fine", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "fallocate", fd, 0, 0x5000, 100), 0);
  assert.equal(size(p, fd), 0x5064);
  assert.equal(sys(p, "fallocate", fd, KEEP, 0x9000, 100), 0);
  assert.equal(size(p, fd), 0x5064);
  assert.equal(sys(p, "fallocate", fd, PUNCH, 0x10000, 100), 0);
  assert.equal(size(p, fd), 0x5064);
  const mf = sys(p, "memfd_create", "t", 0);
  assert.equal(sys(p, "fallocate", mf, 0, 0x1000, 0x1000), 0);
  assert.equal(size(p, mf), 0x2000);
  // tmpfs fallocate(KEEP_SIZE) past EOF: a fault there is still SIGBUS.
  assert.equal(sys(p, "fallocate", mf, KEEP, 0x2000, 0x2000), 0);
  map(p, B, 0x4000, RW, SHARED, mf);
  assert.equal(loadSig(p, B + 0x2000)?.signo, SIGBUS);
});

for (const kind of ["ext4", "memfd"]) {
  Deno.test(`fallocate(PUNCH_HOLE) (${kind}): zeros through mappings, private COW copies kept, partial pages zeroed`, () => {
    const { m, p } = machine();
    const fd = kind === "ext4" ? open(p, "/tmp/f", O_RDWR | O_CREAT) : sys(p, "memfd_create", "t");
    fillFile(p, fd, "F", 0, 0x4000);
    const S = B, P = B + 0x10000;
    map(p, S, 0x4000, RW, SHARED, fd);
    map(p, P, 0x4000, RW, PRIVATE, fd);
    assert.equal(peek(p, P + 0x3000, 1), "F"); // mapped, not copied
    poke(p, P + 0x1000, "p");
    poke(p, P + 0x2000, "q");
    const free0 = m.frames.freeCount;
    assert.equal(sys(p, "fallocate", fd, PUNCH, 0x1000, 0x3000), 0);
    assert.equal(byteAt(p, S + 0x1000), 0);
    assert.equal(byteAt(p, S + 0x2fff), 0);
    assert.equal(byteAt(p, P + 0x3000), 0); // not copied: sees the hole
    assert.equal(peek(p, P + 0x1000, 1), "p"); // hole punching keeps COW copies
    assert.equal(peek(p, P + 0x2000, 1), "q");
    assert.equal(pread(p, fd, 2, 0xfff), "F\0");
    assert.equal(size(p, fd), 0x4000);
    // Three cache pages went (and came back as zero pages on the reads above).
    assert.ok(m.frames.freeCount >= free0);
    // A hole inside one page zeroes those bytes in place.
    assert.equal(sys(p, "fallocate", fd, PUNCH, 0x100, 0x100), 0);
    assert.equal(peek(p, S + 0xff, 1), "F");
    assert.equal(byteAt(p, S + 0x100), 0);
    assert.equal(byteAt(p, S + 0x1ff), 0);
    assert.equal(peek(p, S + 0x200, 1), "F");
    assert.equal(byteAt(p, P + 0x100), 0); // private, not copied
  });
}

Deno.test("fallocate(PUNCH_HOLE) past EOF: ext4 ends the hole at the page after EOF, tmpfs punches exactly (6.18.44 probe)", () => {
  const { p } = machine();
  for (const kind of ["ext4", "memfd"]) {
    const fd = kind === "ext4" ? open(p, "/tmp/f", O_RDWR | O_CREAT) : sys(p, "memfd_create", "t");
    const base = kind === "ext4" ? B : B + 0x10000;
    fillFile(p, fd, "F", 0, 0x1100);
    map(p, base, 0x4000, RW, SHARED, fd);
    poke(p, base + 0x1200, "X");
    poke(p, base + 0x1f00, "Y");
    assert.equal(sys(p, "fallocate", fd, PUNCH, 0x1000, 0x80), 0); // inside EOF
    assert.equal(peek(p, base + 0x1200, 1), "X");
    assert.equal(sys(p, "fallocate", fd, PUNCH, 0x1180, 0x80), 0); // past EOF only
    assert.equal(peek(p, base + 0x1200, 1), "X");
    assert.equal(sys(p, "fallocate", fd, PUNCH, 0x10f0, 0x200), 0); // across EOF
    assert.equal(byteAt(p, base + 0x10f0), 0);
    assert.equal(byteAt(p, base + 0x1200), 0);
    assert.equal(byteAt(p, base + 0x1f00), kind === "ext4" ? 0 : 0x59);
  }
});

Deno.test("fallocate(ZERO_RANGE) on ext4: like a hole for mappings, grows the file without KEEP_SIZE (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "F", 0, 0x3100);
  map(p, B, 0x6000, RW, SHARED, fd);
  map(p, B + 0x10000, 0x4000, RW, PRIVATE, fd);
  poke(p, B + 0x11000, "p");
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_ZERO_RANGE | KEEP, 0x800, 0x2000), 0);
  assert.equal(peek(p, B + 0x7ff, 1), "F");
  assert.equal(byteAt(p, B + 0x800), 0);
  assert.equal(byteAt(p, B + 0x1000), 0);
  assert.equal(peek(p, B + 0x11000, 1), "p");
  assert.equal(byteAt(p, B + 0x12000), 0);
  assert.equal(peek(p, B + 0x2800, 1), "F");
  poke(p, B + 0x3200, "X");
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_ZERO_RANGE, 0x3080, 0x100), 0);
  assert.equal(size(p, fd), 0x3180);
  assert.equal(peek(p, B + 0x3200, 1), "X");
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_ZERO_RANGE, 0x3000, 0x2000), 0);
  assert.equal(size(p, fd), 0x5000);
  assert.equal(byteAt(p, B + 0x3200), 0);
});

Deno.test("fallocate(COLLAPSE_RANGE/INSERT_RANGE) on ext4: data moves, mappings from the offset are zapped, COW copies too (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  const reset = () => {
    assert.equal(sys(p, "ftruncate", fd, 0), 0);
    for (let i = 0; i < 4; i++) fillFile(p, fd, "ABCD"[i], i * 0x1000, i === 3 ? 0x100 : 0x1000);
    poke(p, B + 0x3200, "X");
    poke(p, B + 0x10010, "r");
    poke(p, B + 0x11000, "p");
  };
  map(p, B, 0x6000, RW, SHARED, fd);
  map(p, B + 0x10000, 0x6000, RW, PRIVATE, fd);
  reset();
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, 0x1000, 0x1000), 0);
  assert.equal(size(p, fd), 0x2100);
  assert.equal(peek(p, B + 0x1000, 1), "C");
  assert.equal(peek(p, B + 0x2000, 1), "D");
  assert.equal(loadSig(p, B + 0x3000)?.signo, SIGBUS);
  assert.equal(peek(p, B + 0x10010, 1), "r"); // before the offset: kept
  assert.equal(peek(p, B + 0x11000, 1), "C"); // the COW copy at the offset is gone
  reset();
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_INSERT_RANGE, 0x1000, 0x1000), 0);
  assert.equal(size(p, fd), 0x4100);
  assert.equal(byteAt(p, B + 0x1000), 0);
  assert.equal(peek(p, B + 0x2000, 1), "B");
  assert.equal(peek(p, B + 0x40ff, 1), "D");
  assert.equal(byteAt(p, B + 0x4200), 0); // the garbage past the old EOF did not move in
  assert.equal(byteAt(p, B + 0x11000), 0);
  reset();
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, 0x1000, 0x2100), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, 0x1000, 0x100), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, 0x5000, 0x100), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_INSERT_RANGE, 0x3100, 0x1000), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_INSERT_RANGE, 0x1000, 0x100), -EINVAL);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_INSERT_RANGE, 0x1000, 0xffffffffe000), -EFBIG);
  assert.equal(sys(p, "fallocate", fd, FALLOC_FL_COLLAPSE_RANGE, 0x1000, 0x2000), 0);
  assert.equal(size(p, fd), 0x1100);
  assert.equal(peek(p, B + 0x1000, 1), "D");
});

Deno.test("fallocate: a hole punched inside page 0 unmaps every page after it (truncate_pagecache_range's u64 check)", () => {
  const { p } = machine();
  const PG = 4096;
  const mapped = (a: number) => {
    let n = 0;
    for (let i = 0; i < 8; i++) if (p.mm.pt.bitsAt(a / PG + i) !== 0) n++;
    return n;
  };
  for (const memfd of [false, true]) {
    const fd = memfd ? sys(p, "memfd_create", "s", 0) : open(p, "/tmp/p0", O_RDWR | O_CREAT);
    assert.equal(sys(p, "ftruncate", fd, 8 * PG), 0);
    const base = B + (memfd ? 0x100000 : 0);
    map(p, base, 8 * PG, RW, SHARED, fd);
    poke(p, base, "x".repeat(8 * PG));
    assert.equal(mapped(base), 8);
    const mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
    // [5000, 5200): no whole page, nothing unmapped.
    assert.equal(sys(p, "fallocate", fd, mode, 5000, 200), 0);
    assert.equal(mapped(base), 8);
    // [100, 300): round_down(300) - 1 is -1, which as a u64 passes the check.
    assert.equal(sys(p, "fallocate", fd, mode, 100, 200), 0);
    assert.equal(mapped(base), 1, memfd ? "memfd" : "ext4");
    assert.equal(peek(p, base + 96, 8), "xxxx\0\0\0\0");
  }
});
