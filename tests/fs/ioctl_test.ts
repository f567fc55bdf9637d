import assert from "node:assert/strict";
import {
  decodeStruct,
  encodeStruct,
  formatStruct,
  UFFDIO_API_LAYOUT,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_REGISTER_MODE_MISSING,
} from "../../lib/abi/ioctl.ts";
import { EBADF, EFAULT, ENOTTY } from "../../lib/abi/errno.ts";
import { FIOCLEX, FIONCLEX, FIONREAD, FS_IOC_FSGETXATTR } from "../../lib/abi/ioctl.ts";
import { ENOIOCTLCMD, type FileOperations } from "../../lib/mm/file_operations.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { getUserArg, putUserArg } from "../../lib/mm/uaccess.ts";
import { B, machine, map, open, RW, sys } from "./helpers.ts";
import { MAP_ANONYMOUS, MAP_PRIVATE, O_CREAT, O_RDWR } from "../../lib/abi/mman.ts";

Deno.test("struct layouts: encode, decode and print as strace does", () => {
  const v = new Map<string, bigint | Map<string, bigint>>([
    ["range", new Map([["start", 0x7f0000000000n], ["len", 16384n]])],
    ["mode", UFFDIO_REGISTER_MODE_MISSING],
  ]);
  const bytes = encodeStruct(UFFDIO_REGISTER_LAYOUT, v);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(bytes.length, 32);
  assert.deepEqual([...bytes.subarray(8, 11)], [0x00, 0x40, 0x00]); // len = 0x4000 LE
  assert.equal(bytes[16], 1);
  const back = decodeStruct(UFFDIO_REGISTER_LAYOUT, bytes);
  assert.equal(
    formatStruct(UFFDIO_REGISTER_LAYOUT, back),
    "{range={start=0x7f0000000000, len=0x4000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=0}",
  );
  // Unknown bits print in hex after the names; _UFFDIO_API is bit 63.
  const api = new Map([["api", 0xaan], ["ioctls", (1n << 63n) | (1n << 2n) | (1n << 20n)]]);
  const ab = encodeStruct(UFFDIO_API_LAYOUT, api) as Uint8Array;
  assert.equal(
    formatStruct(UFFDIO_API_LAYOUT, decodeStruct(UFFDIO_API_LAYOUT, ab)),
    "{api=0xaa, features=0, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_API|0x100000}",
  );
  assert.equal(
    encodeStruct(UFFDIO_REGISTER_LAYOUT, new Map([["rng", 1n]])),
    "struct uffdio_register has no field rng",
  );
  assert.equal(
    encodeStruct(UFFDIO_REGISTER_LAYOUT, new Map([["range", 1n]])),
    "range is a struct: write range={...}",
  );
});

Deno.test("ioctl: EBADF first, then the VFS requests, then f_op->ioctl or ENOTTY", () => {
  const { p } = machine();
  map(p, B, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  const fd = open(p, "/tmp/f", O_RDWR | O_CREAT);
  sys(p, "pwrite", fd, "hello", 5, 0);
  assert.equal(sysIoctl(p, 99, FIONREAD, BigInt(B)).ret, -EBADF);
  assert.equal(sysIoctl(p, -1, 0x12345678, 0).ret, -EBADF);
  assert.equal(sysIoctl(p, fd, FIONREAD, BigInt(B)).ret, 0);
  assert.equal(p.machine.fs.lookup("/tmp/f")!.size, 5);
  assert.deepEqual([...getUserArg(p, { value: BigInt(B), literal: null }, 4)!], [5, 0, 0, 0]);
  assert.equal(sysIoctl(p, fd, FIONREAD, 0).ret, -EFAULT);
  assert.equal(sysIoctl(p, fd, FIONREAD, 1n << 60n).ret, -EFAULT);
  assert.equal(sysIoctl(p, fd, 0x12345678, BigInt(B)).ret, -ENOTTY);
  assert.equal(sysIoctl(p, 0, FS_IOC_FSGETXATTR, BigInt(B)).ret, -ENOTTY); // tty: no fileattr_get
  assert.equal(sysIoctl(p, fd, FIOCLEX).ret, 0);
  assert.ok(p.closeOnExec.has(fd));
  assert.equal(sysIoctl(p, fd, FIONCLEX).ret, 0);
  assert.ok(!p.closeOnExec.has(fd));
  // A literal stands in for user memory and comes back in `data`.
  const lit = new Uint8Array(28).fill(0xee);
  const r = sysIoctl(p, fd, FS_IOC_FSGETXATTR, { value: 0n, literal: lit });
  assert.equal(r.ret, 0);
  assert.deepEqual([...r.data!], new Array(28).fill(0));
  // A literal too short for what the kernel writes is EFAULT, as a short copy would be.
  assert.equal(sysIoctl(p, fd, FIONREAD, { value: 0n, literal: new Uint8Array(2) }).ret, -EFAULT);
});

Deno.test("ioctl: a driver's f_op->ioctl gets what the VFS does not answer; ENOIOCTLCMD is ENOTTY", () => {
  const { m, p } = machine();
  map(p, B, 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  const seen: number[] = [];
  const fops: FileOperations = {
    name: "test_fops",
    fopFlags: 0,
    ioctl(proc, _f, cmd, arg) {
      seen.push(cmd);
      if (cmd !== 0x4004aa01) return -ENOIOCTLCMD;
      return putUserArg(proc, arg, Uint8Array.of(42, 0, 0, 0)) ? 7 : -EFAULT;
    },
  };
  const inode = m.fs.create("/dev/test0");
  const f = m.openInode(inode, O_RDWR);
  Object.assign(f, { fop: fops });
  const fd = p.allocFd(f);
  assert.equal(sysIoctl(p, fd, 0x4004aa01, BigInt(B)).ret, 7);
  assert.equal(getUserArg(p, { value: BigInt(B), literal: null }, 1)![0], 42);
  assert.equal(sysIoctl(p, fd, 0x4004aa02, BigInt(B)).ret, -ENOTTY);
  // FIOCLEX never reaches the driver (do_vfs_ioctl answers it).
  assert.equal(sysIoctl(p, fd, FIOCLEX).ret, 0);
  assert.deepEqual(seen, [0x4004aa01, 0x4004aa02]);
});

Deno.test("f_op->release runs once, when the last reference (fd or VMA) goes", () => {
  const { m, p } = machine();
  const released: number[] = [];
  const fops: FileOperations = {
    name: "test_fops",
    fopFlags: 0,
    mmapPrepare: (desc) => {
      desc.vmOps = {};
      return 0;
    },
    release: (_inode, f) => released.push(f.id),
  };
  const inode = m.fs.create("/dev/test1");
  const f = m.openInode(inode, O_RDWR);
  Object.assign(f, { fop: fops });
  const fd = p.allocFd(f);
  const a = sys(p, "mmap", 0, 4096, RW, 0x01, fd, 0); // MAP_SHARED
  assert.ok(a > 0);
  assert.equal(sys(p, "close", fd), 0);
  assert.deepEqual(released, [], "the VMA still holds the file");
  assert.equal(sys(p, "munmap", a, 4096), 0);
  assert.deepEqual(released, [f.id]);
  // exit_files() drops the fds of a dying process.
  const g = m.openInode(inode, O_RDWR);
  Object.assign(g, { fop: fops });
  p.allocFd(g);
  sys(p, "exit", 0);
  assert.deepEqual(released, [f.id, g.id]);
});
