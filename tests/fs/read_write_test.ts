/**
 * read/write/lseek: f_pos on the open file description (fs/read_write.c),
 * O_APPEND, SEEK_DATA/SEEK_HOLE, and the terminal's ESPIPE; checked on 6.18
 * (tests/conformance/file_read_write_position.mm, file_lseek_*.mm).
 */
import assert from "node:assert/strict";
import { syscall } from "../../mod.ts";
import { EBADF, EINVAL, ENXIO, ESPIPE } from "../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_APPEND,
  O_CREAT,
  O_RDWR,
  O_WRONLY,
  SEEK_CUR,
  SEEK_DATA,
  SEEK_END,
  SEEK_HOLE,
  SEEK_SET,
} from "../../lib/abi/mman.ts";
import { FIONREAD } from "../../lib/abi/ioctl.ts";
import { B, machine, open, RW, sys } from "./helpers.ts";

function read(p: Parameters<typeof sys>[0], fd: number, count: number): string | number {
  const r = syscall(p, "read", [fd, "", count]);
  return r.ret < 0 ? r.ret : new TextDecoder().decode(r.data);
}

Deno.test("read/write: f_pos moves by the bytes done and is shared across fork", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  assert.equal(sys(p, "write", fd, "hello", 5), 5);
  assert.equal(sys(p, "write", fd, " world", 6), 6);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 11);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_SET), 0);
  assert.equal(read(p, fd, 5), "hello");
  const child = p.machine.procs.get(sys(p, "fork"))!;
  assert.equal(read(child, fd, 3), " wo");
  assert.equal(read(p, fd, 100), "rld");
  assert.equal(read(p, fd, 100), ""); // EOF
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 11);
  // pread/pwrite leave f_pos alone.
  assert.equal(sys(p, "pwrite", fd, "H", 1, 0), 1);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 11);
  // FIONREAD is i_size - f_pos.
  assert.equal(sys(p, "lseek", fd, 4, SEEK_SET), 4);
  const n = syscall(p, "ioctl", [fd, FIONREAD, { value: 0n, literal: new Uint8Array(4) }]);
  assert.equal(n.ret, 0);
  assert.equal(new DataView(n.data!.buffer).getInt32(0, true), 7);
  // A user buffer: the bytes land in memory.
  const addr = syscall(p, "mmap", [B, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  assert.equal(addr.ret, B);
  assert.equal(sys(p, "read", fd, B, 3), 3);
  assert.equal(sys(p, "close", fd), 0);
  assert.equal(sys(p, "read", fd, B, 1), -EBADF);
  assert.equal(sys(p, "write", fd, "x", 1), -EBADF);
});

Deno.test("write: O_APPEND writes at EOF and leaves f_pos after the data", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/g", O_WRONLY | O_CREAT | O_APPEND);
  assert.equal(sys(p, "write", fd, "abc", 3), 3);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_SET), 0);
  assert.equal(sys(p, "write", fd, "de", 2), 2);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 5);
  assert.equal(sys(p, "write", fd, "", 0), 0);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 5);
  assert.equal(read(p, fd, 1), -EBADF);
});

Deno.test("lseek: whence, range and stream checks", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  sys(p, "pwrite", fd, "hello world", 11, 0);
  assert.equal(sys(p, "lseek", fd, -3, SEEK_END), 8);
  assert.equal(sys(p, "lseek", fd, -100, SEEK_CUR), -EINVAL);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_CUR), 8); // unchanged by the failure
  assert.equal(sys(p, "lseek", fd, 0, 5), -EINVAL);
  assert.equal(sys(p, "lseek", fd, 0, -1), -EINVAL);
  assert.equal(sys(p, "lseek", fd, 0xffffffff000, SEEK_SET), 0xffffffff000);
  assert.equal(sys(p, "lseek", fd, 1, SEEK_CUR), -EINVAL); // past ext4's s_maxbytes
  assert.equal(sys(p, "lseek", 99, 0, SEEK_SET), -EBADF);
  assert.equal(sys(p, "lseek", 99, 0, 9), -EBADF); // the fd first
  // The terminal: nonseekable_open(), so lseek/pread/pwrite are ESPIPE (whence checked first).
  assert.equal(sys(p, "lseek", 0, 0, SEEK_SET), -ESPIPE);
  assert.equal(sys(p, "lseek", 0, 0, 9), -EINVAL);
  assert.equal(sys(p, "pread", 0, "", 1, 0), -ESPIPE);
  assert.equal(sys(p, "pwrite", 1, "x", 1, 0), -ESPIPE);
  assert.equal(sys(p, "write", 1, "x", 1), 1);
  assert.equal(read(p, 0, 1), "");
});

Deno.test("lseek: SEEK_DATA/SEEK_HOLE on ext4 and shmem cost what is present", () => {
  const { p } = machine();
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  sys(p, "pwrite", fd, "x", 1, 0);
  sys(p, "ftruncate", fd, 65536);
  assert.equal(sys(p, "lseek", fd, 0, SEEK_HOLE), 4096);
  assert.equal(sys(p, "lseek", fd, 100, SEEK_HOLE), 4096);
  assert.equal(sys(p, "lseek", fd, 5000, SEEK_HOLE), 5000);
  assert.equal(sys(p, "lseek", fd, 5000, SEEK_DATA), -ENXIO);
  assert.equal(sys(p, "pwrite", fd, "y", 1, 40000), 1);
  assert.equal(sys(p, "lseek", fd, 5000, SEEK_DATA), 36864);
  assert.equal(sys(p, "lseek", fd, 65536, SEEK_HOLE), -ENXIO);
  assert.equal(sys(p, "lseek", fd, -1, SEEK_DATA), -ENXIO);
  // A memfd of 2^62 bytes with one page: no walk over the size.
  const m = sys(p, "memfd_create", "x", 0);
  assert.equal(sys(p, "ftruncate", m, 1n << 62n), 0);
  assert.equal(sys(p, "pwrite", m, "q", 1, 1n << 40n), 1);
  assert.equal(sys(p, "lseek", m, 0, SEEK_DATA), 2 ** 40);
  assert.equal(sys(p, "lseek", m, 2 ** 40, SEEK_HOLE), 2 ** 40 + 4096);
  assert.equal(sys(p, "lseek", m, 2 ** 40 + 4096, SEEK_DATA), -ENXIO);
  assert.equal(sys(p, "lseek", m, 0, SEEK_END), 2 ** 62);
});
