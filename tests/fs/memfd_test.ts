/**
 * memfd_create(2): flags and name checks probed on Linux 6.18.44, the maps
 * line (`/memfd:NAME (deleted)` at 00:01, linux-mm.md §10.1), sharing
 * through the page cache.
 */
import assert from "node:assert/strict";
import { EINVAL } from "../../lib/abi/errno.ts";
import { MADV_POPULATE_READ, MAP_FIXED, MAP_SHARED, PROT_READ } from "../../lib/abi/mman.ts";
import { PG_DIRTY, PG_UPTODATE } from "../../lib/phys/frames.ts";
import {
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
} from "../../lib/fs/syscalls.ts";
import {
  B,
  machine,
  map,
  peek,
  poke,
  pread,
  PRIVATE,
  pwrite,
  RW,
  SHARED,
  sys,
  windowMaps,
} from "./helpers.ts";

Deno.test("memfd_create: flags and name length (6.18.44 probe)", () => {
  const { p } = machine();
  assert.equal(sys(p, "memfd_create", "n".repeat(249), 0), 3);
  assert.equal(sys(p, "memfd_create", "n".repeat(250), 0), -EINVAL);
  assert.equal(sys(p, "memfd_create", "x", 0x100), -EINVAL);
  assert.equal(sys(p, "memfd_create", "n".repeat(250), 0x100), -EINVAL);
  assert.equal(sys(p, "memfd_create", "x", MFD_EXEC | MFD_NOEXEC_SEAL), -EINVAL);
  assert.equal(sys(p, "memfd_create", "x", 1 << 26), -EINVAL); // a huge size without MFD_HUGETLB
  assert.equal(sys(p, "memfd_create", "x", MFD_NOEXEC_SEAL), 4);
  assert.equal(sys(p, "memfd_create", "x", MFD_EXEC), 5);
  assert.equal(sys(p, "memfd_create", "x", MFD_CLOEXEC | MFD_ALLOW_SEALING), 6);
  assert.equal(sys(p, "memfd_create", "a/b"), 7);
  assert.equal(sys(p, "memfd_create", "", 0), 8);
  // Not modelled: hugetlbfs.
  assert.equal(sys(p, "memfd_create", "x", MFD_HUGETLB), -EINVAL);
});

Deno.test("memfd_create: maps shows /memfd:NAME (deleted) at device 00:01; an fd open O_RDWR", () => {
  const { p } = machine();
  const fd = sys(p, "memfd_create", "mymemfd", 0);
  assert.equal(fd, 3);
  assert.equal(pwrite(p, fd, "hello", 0), 5);
  assert.equal(sys(p, "ftruncate", fd, 0x1000), 0);
  map(p, B, 0x1000, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  const [line] = windowMaps(p);
  assert.match(
    line,
    /^7f0000000000-7f0000001000 r--s 00000000 00:01 \d+ {2,}\/memfd:mymemfd \(deleted\)$/,
  );
  assert.equal(line.indexOf("/memfd"), 73);
  assert.equal(peek(p, B, 5), "hello");
});

Deno.test("memfd: shared mappings of one memfd share pages; private ones copy on write", () => {
  const { p } = machine();
  const fd = sys(p, "memfd_create", "buf", 0);
  assert.equal(sys(p, "ftruncate", fd, 0x2000), 0);
  map(p, B, 0x2000, RW, SHARED, fd);
  map(p, B + 0x10000, 0x2000, RW, SHARED, fd);
  map(p, B + 0x20000, 0x2000, RW, PRIVATE, fd);
  poke(p, B + 0x1234, "shared");
  assert.equal(peek(p, B + 0x11234, 6), "shared");
  assert.equal(peek(p, B + 0x21234, 6), "shared");
  poke(p, B + 0x21234, "privat");
  assert.equal(pread(p, fd, 6, 0x1234), "shared");
  assert.equal(peek(p, B + 0x1234, 6), "shared");
});

Deno.test("memfd: fallocate adds pages that are not uptodate and marks the range dirty; partial truncation dirties too", () => {
  const { m, p } = machine();
  const PG = 4096;
  const fd = sys(p, "memfd_create", "f", 0);
  const inode = p.fds[fd]!.inode;
  const state = (i: number) => {
    const pfn = inode.pages.get(i);
    if (pfn === undefined) return "-";
    const f = m.frames.flags[pfn];
    return (f & PG_UPTODATE ? "u" : "") + (f & PG_DIRTY ? "d" : "");
  };
  assert.equal(sys(p, "ftruncate", fd, 4 * PG), 0);
  map(p, B, 4 * PG, RW, SHARED, fd);
  assert.equal(peek(p, B, 1), "\0"); // a clean page
  assert.equal(state(0), "u");
  assert.equal(sys(p, "fallocate", fd, 0, 0, 2 * PG), 0);
  assert.deepEqual([state(0), state(1), state(2)], ["ud", "d", "-"]);
  assert.equal(pread(p, fd, 1, PG), "\0", "read as a hole");
  assert.equal(state(1), "d");
  assert.equal(peek(p, B + PG, 1), "\0");
  assert.equal(state(1), "ud", "a fault clears it and makes it uptodate");
  map(p, B + 0x100000, 4 * PG, PROT_READ, SHARED, fd);
  assert.equal(sys(p, "madvise", BigInt(B + 0x100000), BigInt(4 * PG), MADV_POPULATE_READ), 0);
  assert.equal(state(3), "u");
  assert.equal(sys(p, "ftruncate", fd, 4 * PG - 100), 0);
  assert.equal(state(3), "ud", "shmem_undo_range marks the partial page dirty");
});
