/**
 * ftruncate(2): the check order probed on Linux 6.18.44 and the effect on
 * mappings (linux-mm.md §7.5): pages past the new EOF SIGBUS, private COW
 * copies there are zapped too, the partial last page reads zero past EOF,
 * and what ext4 and tmpfs do with bytes written past EOF through a mapping.
 */
import assert from "node:assert/strict";
import { EBADF, EFBIG, EINVAL } from "../../lib/abi/errno.ts";
import { O_CREAT, O_RDONLY, O_RDWR } from "../../lib/abi/mman.ts";
import {
  B,
  BUS_ADRERR,
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
  pwrite,
  RW,
  SHARED,
  SIGBUS,
  sys,
} from "./helpers.ts";

Deno.test("ftruncate: errno rows in the kernel's order (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  const ro = open(p, "/tmp/f", O_RDONLY);
  assert.equal(sys(p, "ftruncate", 100, -1), -EINVAL); // length first
  assert.equal(sys(p, "ftruncate", 100, 0), -EBADF);
  assert.equal(sys(p, "ftruncate", -1, 0), -EBADF);
  assert.equal(sys(p, "ftruncate", ro, 100), -EINVAL); // not open for writing
  assert.equal(sys(p, "ftruncate", ro, -1), -EINVAL);
  assert.equal(sys(p, "ftruncate", fd, -1), -EINVAL);
  assert.equal(sys(p, "ftruncate", fd, 0xffffffff000), 0);
  assert.equal(sys(p, "ftruncate", fd, 0xffffffff001), -EFBIG);
  assert.equal(sys(p, "ftruncate", fd, 1n << 62n), -EFBIG);
  assert.equal(sys(p, "ftruncate", fd, 0), 0);
  // tmpfs: s_maxbytes is LLONG_MAX.
  const mf = sys(p, "memfd_create", "t", 0);
  assert.equal(sys(p, "ftruncate", mf, 1n << 62n), 0);
  assert.equal(sys(p, "ftruncate", mf, 0x7fffffffffffffffn), 0);
  assert.equal(sys(p, "ftruncate", mf, 0), 0);
});

Deno.test("ftruncate: growing reads as zeros; the mapping reaches further", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  map(p, B, 0x3000, RW, SHARED, fd);
  assert.equal(loadSig(p, B)?.signo, SIGBUS);
  assert.equal(sys(p, "ftruncate", fd, 0x2800), 0);
  assert.equal(byteAt(p, B + 0x27ff), 0);
  assert.equal(byteAt(p, B + 0x2800), 0); // past EOF, inside the last page
  assert.equal(pread(p, fd, 0x3000, 0), "\0".repeat(0x2800));
});

for (const kind of ["ext4", "memfd"]) {
  Deno.test(`ftruncate (${kind}): SIGBUS past the new EOF, zeros in the partial page, private COW copies zapped`, () => {
    const { p } = machine();
    const fd = kind === "ext4" ? open(p, "/tmp/f", O_RDWR | O_CREAT) : sys(p, "memfd_create", "t");
    fillFile(p, fd, "F", 0, 0x4000);
    const S = B, P = B + 0x10000;
    map(p, S, 0x4000, RW, SHARED, fd);
    map(p, P, 0x4000, RW, PRIVATE, fd);
    poke(p, P + 0x1000, "p"); // COW copies of pages 1, 2, 3
    poke(p, P + 0x2000, "q");
    poke(p, P + 0x3000, "r");
    assert.equal(sys(p, "ftruncate", fd, 0x1100), 0);
    // The page holding EOF stays; bytes past EOF read as zero through the shared mapping.
    assert.equal(peek(p, S + 0x10ff, 1), "F");
    assert.equal(byteAt(p, S + 0x1100), 0);
    assert.equal(pread(p, fd, 0x10, 0x10f8), "FFFFFFFF");
    // A private copy of that page keeps its own bytes.
    assert.equal(peek(p, P + 0x10ff, 2), "FF");
    assert.equal(peek(p, P + 0x1000, 1), "p");
    // Whole pages past EOF: SIGBUS BUS_ADRERR at the exact address, in both mappings,
    // even where a private copy existed (unmap_mapping_range with even_cows).
    assert.deepEqual(loadSig(p, S + 0x2345), { signo: SIGBUS, code: BUS_ADRERR, addr: S + 0x2345 });
    assert.deepEqual(loadSig(p, P + 0x2000), { signo: SIGBUS, code: BUS_ADRERR, addr: P + 0x2000 });
    assert.equal(loadSig(p, P + 0x3000)?.signo, SIGBUS);
    // Writing past EOF is a SIGBUS too.
    assert.equal(sys(p, "ftruncate", fd, 0x1000), 0);
    assert.equal(loadSig(p, S + 0x1000)?.signo, SIGBUS);
    // Growing again: new pages read zero, including where the private copies were.
    assert.equal(sys(p, "ftruncate", fd, 0x4000), 0);
    assert.equal(byteAt(p, P + 0x2000), 0);
    assert.equal(byteAt(p, S + 0x3fff), 0);
  });
}

Deno.test("ftruncate: the frames of truncated pages are freed, COW copies included", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  // Page by page: one 16K write would make a 16K folio, which truncation
  // into it keeps whole while it is dirty (truncate_inode_partial_folio).
  for (let i = 0; i < 4; i++) fillFile(p, fd, "F", i * 0x1000, 0x1000);
  map(p, B, 0x4000, RW, SHARED, fd);
  map(p, B + 0x10000, 0x4000, RW, PRIVATE, fd);
  for (let i = 0; i < 4; i++) peek(p, B + i * 0x1000, 1);
  poke(p, B + 0x12000, "c");
  const free0 = m.frames.freeCount;
  assert.equal(sys(p, "ftruncate", fd, 0x1000), 0);
  // Pages 1-3 leave the cache (3 frames) and the COW copy of page 2 goes too.
  assert.equal(m.frames.freeCount, free0 + 4);
});

Deno.test("ftruncate: other processes' mappings lose the pages too (i_mmap covers every mm)", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "F", 0, 0x2000);
  const q = m.spawn("other", p.pid);
  const fq = open(q, "/tmp/f", O_RDWR);
  map(q, B, 0x2000, RW, SHARED, fq);
  assert.equal(peek(q, B + 0x1000, 1), "F");
  assert.equal(sys(p, "ftruncate", fd, 0x1000), 0);
  assert.equal(loadSig(q, B + 0x1000)?.signo, SIGBUS);
});

Deno.test("ftruncate on ext4 zeroes what a mapping wrote past EOF: shrink, same size and growth (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "ftruncate", fd, 0x1100), 0);
  map(p, B, 0x4000, RW, SHARED, fd);
  poke(p, B + 0x1200, "X");
  poke(p, B + 0x1f00, "Y");
  assert.equal(pread(p, fd, 1, 0x1200), ""); // past EOF
  // Growing within the page zeroes the whole tail of the old EOF block.
  assert.equal(sys(p, "ftruncate", fd, 0x1180), 0);
  assert.equal(byteAt(p, B + 0x1200), 0);
  assert.equal(byteAt(p, B + 0x1f00), 0);
  // Truncating to the same size zeroes the tail too (truncate_pagecache).
  poke(p, B + 0x1200, "X");
  assert.equal(sys(p, "ftruncate", fd, 0x1180), 0);
  assert.equal(byteAt(p, B + 0x1200), 0);
  // Shrinking inside the page: zero from the new EOF.
  poke(p, B + 0x1170, "Z");
  assert.equal(sys(p, "ftruncate", fd, 0x1080), 0);
  assert.equal(byteAt(p, B + 0x1170), 0);
});

Deno.test("ftruncate on a memfd: growth keeps what a mapping wrote past EOF; shrink or same size zeroes it (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = sys(p, "memfd_create", "m", 0);
  assert.equal(sys(p, "ftruncate", fd, 0x1100), 0);
  map(p, B, 0x4000, RW, SHARED, fd);
  poke(p, B + 0x1200, "X");
  poke(p, B + 0x1f00, "Y");
  assert.equal(sys(p, "ftruncate", fd, 0x1300), 0);
  assert.equal(peek(p, B + 0x1200, 1), "X");
  assert.equal(pread(p, fd, 1, 0x1200), "X");
  assert.equal(sys(p, "ftruncate", fd, 0x1300), 0); // same size: shmem_truncate_range
  assert.equal(peek(p, B + 0x1200, 1), "X"); // inside EOF: kept
  assert.equal(byteAt(p, B + 0x1f00), 0); // past EOF: zeroed
  poke(p, B + 0x1f00, "Y");
  assert.equal(sys(p, "ftruncate", fd, 0x1080), 0);
  assert.equal(byteAt(p, B + 0x1200), 0);
  assert.equal(byteAt(p, B + 0x1f00), 0);
});

Deno.test("pwrite and fallocate extending an ext4 file zero the old EOF tail up to where they start (6.18.44 probe)", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "ftruncate", fd, 0x1100), 0);
  map(p, B, 0x4000, RW, SHARED, fd);
  const reset = () => {
    assert.equal(sys(p, "ftruncate", fd, 0x1100), 0);
    poke(p, B + 0x1200, "X");
    poke(p, B + 0x1f00, "Y");
  };
  reset();
  assert.equal(pwrite(p, fd, "q", 0x1100), 1); // at EOF: no gap, nothing zeroed
  assert.equal(peek(p, B + 0x1200, 1), "X");
  reset();
  assert.equal(pwrite(p, fd, "Z", 0x1300), 1); // the gap [0x1100, 0x1300) is zeroed
  assert.equal(pread(p, fd, 0x201, 0x1100), "\0".repeat(0x200) + "Z");
  assert.equal(peek(p, B + 0x1f00, 1), "Y"); // past the new EOF: untouched
  reset();
  assert.equal(pwrite(p, fd, "Z", 0x3000), 1);
  assert.equal(byteAt(p, B + 0x1200), 0);
  assert.equal(byteAt(p, B + 0x1f00), 0);
  reset();
  assert.equal(sys(p, "fallocate", fd, 0, 0x1000, 0x180), 0); // to 0x1180
  assert.equal(peek(p, B + 0x1200, 1), "X");
  reset();
  assert.equal(sys(p, "fallocate", fd, 0, 0x1000, 0x1000), 0); // to 0x2000
  assert.equal(byteAt(p, B + 0x1200), 0);
  assert.equal(byteAt(p, B + 0x1f00), 0);
  // tmpfs never zeroes on growth.
  const mf = sys(p, "memfd_create", "m", 0);
  assert.equal(sys(p, "ftruncate", mf, 0x1100), 0);
  map(p, B + 0x10000, 0x4000, RW, SHARED, mf);
  poke(p, B + 0x11200, "X");
  assert.equal(pwrite(p, mf, "Z", 0x3000), 1);
  assert.equal(pread(p, mf, 1, 0x1200), "X");
});
