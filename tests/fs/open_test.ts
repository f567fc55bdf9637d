/**
 * open(2), close(2), unlink(2): errno rows and check order as probed on
 * Linux 6.18.44 (ext4 root at fe:00), fd numbering, O_TRUNC, O_TMPFILE,
 * unlinked files staying mapped, and the page cache of an unlinked inode
 * being freed when its last user goes.
 */
import assert from "node:assert/strict";
import { syscall } from "../../mod.ts";
import {
  EBADF,
  EEXIST,
  EINVAL,
  EISDIR,
  EMFILE,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
} from "../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_SHARED,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  PROT_READ,
} from "../../lib/abi/mman.ts";
import { NOFILE_LIMIT, O_DIRECTORY, O_PATH, O_TMPFILE } from "../../lib/fs/syscalls.ts";
import {
  B,
  BUS_ADRERR,
  fillFile,
  loadSig,
  machine,
  map,
  open,
  peek,
  poke,
  pread,
  pwrite,
  RW,
  SHARED,
  SIGBUS,
  sys,
  windowMaps,
} from "./helpers.ts";

Deno.test("open: the first open returns 3 (0-2 taken); the lowest free fd is reused", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(open(p, "/tmp/f", O_RDONLY), 4);
  assert.equal(open(p, "/tmp/f", O_WRONLY), 5);
  assert.equal(sys(p, "close", 4), 0);
  assert.equal(open(p, "/tmp/f", O_RDONLY | O_CLOEXEC), 4);
  assert.equal(open(p, "/tmp/g", O_RDWR | O_CREAT | O_EXCL | O_APPEND, 0o600), 6);
});

Deno.test("open: O_CREAT|O_EXCL on an existing file is EEXIST; without O_CREAT a missing name is ENOENT", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT | O_EXCL), -EEXIST);
  assert.equal(open(p, "/tmp/f", O_RDWR | O_EXCL), 4); // O_EXCL alone is ignored
  assert.equal(open(p, "/tmp/nonexist", O_RDWR), -ENOENT);
  assert.equal(open(p, "", O_RDWR), -ENOENT);
  assert.equal(open(p, "", O_RDWR | O_CREAT), -ENOENT);
});

Deno.test("open: directories and trailing slashes (6.18.44 probe)", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(open(p, "/tmp", O_RDWR), -EISDIR);
  assert.equal(open(p, "/", O_RDWR), -EISDIR);
  assert.equal(open(p, "/tmp", O_RDONLY), 4); // a directory fd
  assert.equal(pread(p, 4, 1, 0), -EISDIR);
  assert.equal(sys(p, "ftruncate", 4, 0), -EINVAL);
  assert.equal(sys(p, "fallocate", 4, 0, 0, 1), -EBADF);
  assert.equal(open(p, "/tmp", O_RDONLY | O_CREAT), -EISDIR);
  assert.equal(open(p, "/tmp", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
  assert.equal(open(p, "/tmp/f/", O_RDWR), -ENOTDIR);
  assert.equal(open(p, "/tmp/f/x", O_RDWR | O_CREAT), -ENOTDIR);
  assert.equal(open(p, "/tmp/f/..", O_RDONLY), -ENOTDIR);
  assert.equal(open(p, "/tmp/zz/", O_RDWR | O_CREAT), -EISDIR);
  assert.equal(open(p, "/tmp/zz/", O_RDWR), -ENOENT);
  assert.equal(open(p, "/tmp/f", O_RDONLY | O_DIRECTORY), -ENOTDIR);
  assert.equal(open(p, "/tmp/new", O_RDWR | O_CREAT | O_DIRECTORY), -EINVAL);
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT | O_DIRECTORY), -EINVAL);
  // Paths are normalised: the same inode.
  assert.equal(open(p, "//tmp//./x/../f", O_RDONLY), 5);
  assert.equal(syscall(p, "pread", [5, "", 1, 0]).ret, 0);
});

Deno.test("open: names too long", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/" + "b".repeat(256), O_RDWR | O_CREAT), -ENAMETOOLONG);
  assert.equal(open(p, "/tmp/" + "b".repeat(255), O_RDWR), -ENOENT);
  assert.equal(open(p, "/" + "a/".repeat(2048), O_RDONLY), -ENAMETOOLONG);
});

Deno.test("open: access mode 3 and O_PATH give fds that cannot read or write", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(open(p, "/tmp/f", O_ACCMODE), 4);
  assert.equal(pread(p, 4, 1, 0), -EBADF);
  assert.equal(pwrite(p, 4, "x", 0), -EBADF);
  assert.equal(sys(p, "ftruncate", 4, 0), -EINVAL);
  assert.equal(open(p, "/tmp/f", O_PATH), 5);
  assert.equal(pread(p, 5, 1, 0), -EBADF);
  assert.equal(sys(p, "ftruncate", 5, 0), -EBADF);
  assert.equal(sys(p, "fallocate", 5, 0, 0, 1), -EBADF);
  assert.equal(sys(p, "close", 5), 0);
});

Deno.test("open: EMFILE once the descriptor table reaches RLIMIT_NOFILE", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  for (let fd = 4; fd < NOFILE_LIMIT; fd++) assert.equal(open(p, "/tmp/f", O_RDONLY), fd);
  assert.equal(open(p, "/tmp/f", O_RDONLY), -EMFILE);
  assert.equal(sys(p, "memfd_create", "x", 0), -EMFILE);
  assert.equal(sys(p, "close", 700), 0);
  assert.equal(open(p, "/tmp/f", O_RDONLY), 700);
});

Deno.test("open: O_TRUNC (even O_RDONLY) truncates like ftruncate: mapped pages past EOF SIGBUS", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "A", 0, 0x2000);
  map(p, B, 0x2000, RW, SHARED, fd);
  assert.equal(peek(p, B, 1), "A");
  assert.equal(open(p, "/tmp/f", O_RDONLY | O_TRUNC), 4);
  assert.deepEqual(loadSig(p, B + 5), { signo: SIGBUS, code: BUS_ADRERR, addr: B + 5 });
  assert.equal(pread(p, fd, 10, 0), "");
  // O_TRUNC on a new file does nothing special.
  assert.equal(open(p, "/tmp/g", O_RDWR | O_CREAT | O_TRUNC), 5);
});

Deno.test("open: O_TMPFILE makes an unnamed file shown as DIR/#INO (deleted); bad combinations are EINVAL", () => {
  const { p } = machine();
  assert.equal(open(p, "/tmp", O_TMPFILE | O_RDONLY, 0o600), -EINVAL);
  assert.equal(open(p, "/tmp", O_TMPFILE | O_RDWR | O_CREAT, 0o600), -EINVAL);
  assert.equal(open(p, "/tmp/nx", O_TMPFILE | O_RDWR, 0o600), -ENOENT);
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(open(p, "/tmp/f", O_TMPFILE | O_RDWR, 0o600), -ENOTDIR);
  const fd = open(p, "/tmp", O_TMPFILE | O_RDWR, 0o600);
  assert.equal(fd, 4);
  assert.equal(sys(p, "ftruncate", fd, 4096), 0);
  map(p, B, 0x1000, PROT_READ, MAP_SHARED | MAP_FIXED, fd);
  const line = windowMaps(p)[0];
  assert.match(
    line,
    /^7f0000000000-7f0000001000 r--s 00000000 fe:00 (\d+) +\/tmp\/#\1 \(deleted\)$/,
  );
});

Deno.test("close: EBADF for -1, a free slot, a closed fd; mappings survive close", () => {
  const { p } = machine();
  assert.equal(sys(p, "close", -1), -EBADF);
  assert.equal(sys(p, "close", 100), -EBADF);
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(pwrite(p, fd, "hello", 0), 5);
  map(p, B, 0x1000, RW, SHARED, fd);
  assert.equal(sys(p, "close", fd), 0);
  assert.equal(sys(p, "close", fd), -EBADF);
  assert.equal(peek(p, B, 5), "hello");
  poke(p, B, "J");
  const fd2 = open(p, "/tmp/f", O_RDONLY);
  assert.equal(fd2, fd);
  assert.equal(pread(p, fd2, 5, 0), "Jello");
});

Deno.test("unlink: errno rows (6.18.44 probe)", () => {
  const { p } = machine();
  assert.equal(sys(p, "unlink", "/tmp/nonexist"), -ENOENT);
  assert.equal(sys(p, "unlink", "/tmp"), -EISDIR);
  assert.equal(sys(p, "unlink", ""), -ENOENT);
  assert.equal(open(p, "/tmp/f", O_RDWR | O_CREAT), 3);
  assert.equal(sys(p, "unlink", "/tmp/f/"), -ENOTDIR);
  assert.equal(sys(p, "unlink", "/tmp/f/x"), -ENOTDIR);
  assert.equal(sys(p, "unlink", "/tmp/nonexist/"), -ENOENT);
  assert.equal(sys(p, "unlink", "/tmp/f"), 0);
  assert.equal(sys(p, "unlink", "/tmp/f"), -ENOENT);
  assert.equal(open(p, "/tmp/f", O_RDWR), -ENOENT);
});

Deno.test("unlink: an open, mapped file keeps working; maps shows (deleted); a new file by that name is another inode", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "ftruncate", fd, 0x2000), 0);
  map(p, B, 0x2000, RW, SHARED, fd);
  poke(p, B, "data");
  const before = windowMaps(p)[0];
  assert.match(before, /^7f0000000000-7f0000002000 rw-s 00000000 fe:00 \d+ +\/tmp\/f$/);
  assert.equal(sys(p, "unlink", "/tmp/f"), 0);
  assert.equal(windowMaps(p)[0], before + " (deleted)");
  assert.equal(peek(p, B, 4), "data");
  assert.equal(pread(p, fd, 4, 0), "data");
  assert.equal(sys(p, "ftruncate", fd, 0x1000), 0);
  assert.equal(loadSig(p, B + 0x1000)?.signo, SIGBUS);
  const fd2 = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(pread(p, fd2, 4, 0), "");
  assert.equal(peek(p, B, 4), "data");
});

Deno.test("no frame leak: munmap, close, unlink frees the page cache of the unlinked inode", () => {
  const { m, p } = machine();
  const free0 = m.frames.freeCount;
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "x", 0, 0x5000);
  map(p, B, 0x5000, RW, SHARED, fd);
  poke(p, B + 0x3000, "y");
  assert.ok(m.frames.freeCount < free0);
  assert.equal(sys(p, "munmap", BigInt(B), 0x5000n), 0);
  assert.equal(sys(p, "close", fd), 0);
  // Still linked: the page cache stays (no eviction without memory pressure).
  assert.equal(m.frames.freeCount, free0 - 5);
  assert.equal(sys(p, "unlink", "/tmp/f"), 0);
  assert.equal(m.frames.freeCount, free0);
});

Deno.test("no frame leak: unlink and close first, the last munmap frees the cache (fput from remove_vma)", () => {
  const { m, p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  fillFile(p, fd, "x", 0, 0x3000);
  map(p, B, 0x3000, RW, SHARED, fd);
  assert.equal(sys(p, "unlink", "/tmp/f"), 0);
  assert.equal(sys(p, "close", fd), 0);
  assert.equal(peek(p, B + 0x2000, 1), "x");
  const held = m.frames.freeCount;
  assert.equal(sys(p, "munmap", BigInt(B), 0x3000n), 0);
  assert.equal(m.frames.freeCount, held + 3);
});

Deno.test("no frame leak: a memfd's pages go with its last fd; shared anonymous memory with its last mapping", () => {
  const { m, p } = machine();
  const free0 = m.frames.freeCount;
  const fd = sys(p, "memfd_create", "buf", 0);
  fillFile(p, fd, "z", 0, 0x4000);
  assert.equal(m.frames.freeCount, free0 - 4);
  assert.equal(sys(p, "close", fd), 0);
  assert.equal(m.frames.freeCount, free0);
  const a = sys(p, "mmap", BigInt(B), 0x3000n, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0n);
  assert.equal(a, B);
  poke(p, B, "a");
  poke(p, B + 0x2000, "b");
  assert.equal(m.frames.freeCount, free0 - 2);
  assert.equal(sys(p, "munmap", BigInt(B), 0x3000n), 0);
  assert.equal(m.frames.freeCount, free0);
});
