/** getrlimit/setrlimit/prlimit64 (kernel/sys.c do_prlimit) and the limits mm consults. */
import assert from "node:assert/strict";
import { Machine, syscall } from "../../mod.ts";
import type { UserArg } from "../../mod.ts";
import { EAGAIN, EFAULT, EINVAL, EMFILE, ENOMEM, EPERM, ESRCH } from "../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_LOCKED,
  MAP_PRIVATE,
  MAP_SHARED,
  MCL_FUTURE,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  RLIM_INFINITY,
  RLIMIT_AS,
  RLIMIT_DATA,
  RLIMIT_MEMLOCK,
  RLIMIT_NOFILE,
  RLIMIT_STACK,
} from "../../lib/abi/resource.ts";
import { formatStruct, RLIMIT_LAYOUT } from "../../mod.ts";
import { decodeStruct } from "../../lib/abi/ioctl.ts";

const B = 0x7f0000000000;
const RW = PROT_READ | PROT_WRITE;

function lit(cur = 0n, max = 0n): UserArg {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, cur, true);
  dv.setBigUint64(8, max, true);
  return { value: 0n, literal: b };
}

function text(arg: UserArg): string {
  return formatStruct(RLIMIT_LAYOUT, decodeStruct(RLIMIT_LAYOUT, arg.literal!));
}

Deno.test("getrlimit: the defaults, printed as strace prints struct rlimit", () => {
  const p = new Machine().init;
  const a = lit();
  assert.equal(syscall(p, "getrlimit", [RLIMIT_STACK, a]).ret, 0);
  assert.equal(text(a), "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
  assert.equal(syscall(p, "getrlimit", [RLIMIT_NOFILE, a]).ret, 0);
  assert.equal(text(a), "{rlim_cur=1024, rlim_max=512*1024}");
  assert.equal(syscall(p, "getrlimit", [16, a]).ret, -EINVAL);
  assert.equal(syscall(p, "getrlimit", [99, 0x10]).ret, -EINVAL); // resource before EFAULT
  assert.equal(syscall(p, "getrlimit", [RLIMIT_AS, 0x10]).ret, -EFAULT);
});

Deno.test("setrlimit: check order; lowering is free, raising a hard limit needs root", () => {
  const m = new Machine({ root: false });
  const p = m.init;
  assert.equal(syscall(p, "setrlimit", [99, 0x10]).ret, -EFAULT); // the struct first
  assert.equal(syscall(p, "setrlimit", [99, lit(1n, 2n)]).ret, -EINVAL);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_NOFILE, lit(300n, 200n)]).ret, -EINVAL);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_NOFILE, lit(3n, 2000000n)]).ret, -EPERM);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_NOFILE, lit(100n, 200n)]).ret, 0);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_NOFILE, lit(100n, 300n)]).ret, -EPERM);
  const root = new Machine().init;
  assert.equal(syscall(root, "setrlimit", [RLIMIT_NOFILE, lit(100n, 1048576n)]).ret, 0);
  assert.equal(syscall(root, "setrlimit", [RLIMIT_NOFILE, lit(100n, 1048577n)]).ret, -EPERM);
});

Deno.test("prlimit64: old and new together; NULL sides; ESRCH; fork copies", () => {
  const m = new Machine();
  const p = m.init;
  const old = lit();
  assert.equal(syscall(p, "prlimit64", [0, RLIMIT_NOFILE, lit(10n, 20n), old]).ret, 0);
  assert.equal(text(old), "{rlim_cur=1024, rlim_max=512*1024}");
  assert.equal(syscall(p, "prlimit64", [0, RLIMIT_NOFILE, 0, old]).ret, 0);
  assert.equal(text(old), "{rlim_cur=10, rlim_max=20}");
  assert.equal(syscall(p, "prlimit64", [0, RLIMIT_NOFILE, 0x10, old]).ret, -EFAULT);
  assert.equal(syscall(p, "prlimit64", [4242, RLIMIT_NOFILE, 0, old]).ret, -ESRCH);
  // The new limit took effect although writing the old one faulted.
  assert.equal(syscall(p, "prlimit64", [0, RLIMIT_NOFILE, lit(11n, 20n), 0x10]).ret, -EFAULT);
  const child = m.process(syscall(p, "fork", []).ret)!;
  assert.equal(syscall(child, "getrlimit", [RLIMIT_NOFILE, old]).ret, 0);
  assert.equal(text(old), "{rlim_cur=11, rlim_max=20}");
  // A child's limits are its own.
  assert.equal(syscall(p, "prlimit64", [child.pid, RLIMIT_NOFILE, lit(5n, 20n), 0]).ret, 0);
  assert.equal(syscall(p, "getrlimit", [RLIMIT_NOFILE, old]).ret, 0);
  assert.equal(text(old), "{rlim_cur=11, rlim_max=20}");
});

Deno.test("the limits bind: NOFILE (EMFILE), DATA and AS (ENOMEM), MEMLOCK (EAGAIN)", () => {
  const m = new Machine({ root: false });
  const p = m.init;
  const first = p.fds.length; // fds 0-2 are the terminal
  assert.equal(syscall(p, "setrlimit", [RLIMIT_NOFILE, lit(BigInt(first + 1), 200n)]).ret, 0);
  assert.equal(syscall(p, "open", ["/tmp/a", O_RDWR | O_CREAT, 0o644]).ret, first);
  assert.equal(syscall(p, "open", ["/tmp/a", O_RDWR | O_CREAT, 0o644]).ret, -EMFILE);
  const anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  assert.equal(syscall(p, "setrlimit", [RLIMIT_DATA, lit(0n, RLIM_INFINITY)]).ret, 0);
  assert.equal(syscall(p, "mmap", [B, 4096, RW, anon, -1, 0]).ret, B); // soft 0: up to the hard
  assert.equal(syscall(p, "setrlimit", [RLIMIT_DATA, lit(4096n, RLIM_INFINITY)]).ret, 0);
  assert.equal(syscall(p, "mmap", [B + 0x10000, 4096, RW, anon, -1, 0]).ret, -ENOMEM);
  assert.equal(syscall(p, "mmap", [B + 0x10000, 4096, PROT_READ, anon, -1, 0]).ret, B + 0x10000);
  const shared = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
  assert.equal(syscall(p, "mmap", [B + 0x20000, 4096, RW, shared, -1, 0]).ret, B + 0x20000);
  assert.equal(syscall(p, "brk", [p.mm.brk + 0x10000]).ret, p.mm.brk); // the heap is data too
  // mprotect making private memory writable is data growth too; shared is not.
  assert.equal(syscall(p, "mprotect", [B + 0x10000, 4096, RW]).ret, -ENOMEM);
  assert.equal(syscall(p, "mprotect", [B + 0x20000, 4096, PROT_READ]).ret, 0);
  assert.equal(syscall(p, "mprotect", [B + 0x20000, 4096, RW]).ret, 0);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_AS, lit(4096n, RLIM_INFINITY)]).ret, 0);
  assert.equal(syscall(p, "mmap", [B + 0x10000, 4096, PROT_READ, anon, -1, 0]).ret, -ENOMEM);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_AS, lit(RLIM_INFINITY, RLIM_INFINITY)]).ret, 0);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_MEMLOCK, lit(4096n, 4096n)]).ret, 0);
  const locked = anon | MAP_LOCKED;
  assert.equal(syscall(p, "mmap", [B + 0x30000, 8192, PROT_READ, locked, -1, 0]).ret, -EAGAIN);
  assert.equal(syscall(p, "mmap", [B + 0x30000, 4096, PROT_READ, locked, -1, 0]).ret, B + 0x30000);
  assert.equal(syscall(p, "mlockall", [MCL_FUTURE]).ret, 0);
  assert.equal(syscall(p, "mmap", [B + 0x40000, 4096, PROT_READ, anon, -1, 0]).ret, -EAGAIN);
  // The mm sees the soft limits.
  assert.equal(p.mm.rlimits.memlock, 4096);
  assert.equal(syscall(p, "setrlimit", [RLIMIT_MEMLOCK, lit(0n, 0n)]).ret, 0);
  assert.equal(syscall(p, "mlock", [B, 4096]).ret, -EPERM);
});
