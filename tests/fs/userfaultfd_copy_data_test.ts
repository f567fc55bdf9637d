/**
 * UFFDIO_COPY's data path (mm/userfaultfd.c mfill_atomic_pte_copy(),
 * mm/shmem.c shmem_mfill_atomic_pte()): the bytes that land in the new
 * page, whatever the source pages held before; a source of zeros leaves the
 * new page without bytes (mmlab's frames keep bytes only for what was
 * written non-zero).
 */
import assert from "node:assert/strict";
import {
  encodeStruct,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import { EFAULT } from "../../lib/abi/errno.ts";
import { MAP_ANONYMOUS, O_NONBLOCK } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { checkInvariants, cpuRead, cpuWrite, type Process } from "../../mod.ts";
import { B, machine, map, PRIVATE, RW, SHARED, sys } from "./helpers.ts";

function ioctl(p: Process, fd: number, cmd: number, layout = UFFDIO_COPY_LAYOUT, v: object) {
  const bytes = encodeStruct(
    layout,
    new Map(Object.entries(v).map(([k, x]) => [k, typeof x === "number" ? BigInt(x) : x])),
  ) as Uint8Array;
  return sysIoctl(p, fd, cmd, { value: 0n, literal: bytes }).ret;
}

/** A uffd with `len` bytes at B registered MISSING (anonymous, or memfd-backed shared). */
function setup(len: number, shmem = false) {
  const { m, p } = machine();
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  assert.equal(ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, { api: 0xaa, features: 0 }), 0);
  if (shmem) {
    const mfd = sys(p, "memfd_create", "staging", 0);
    assert.equal(sys(p, "ftruncate", mfd, len), 0);
    map(p, B, len, RW, SHARED, mfd);
  } else map(p, B, len, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const range = new Map([["start", BigInt(B)], ["len", BigInt(len)]]);
  assert.equal(ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, { range, mode: 1 }), 0);
  // Sources: page 0 full of 0x5a, page 1 never written, page 2 with one byte.
  const src = B + 0x100000;
  map(p, src, 0x3000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  assert.equal(cpuWrite(p, src, new Uint8Array(0x1000).fill(0x5a)).done, 0x1000);
  assert.equal(cpuWrite(p, src + 0x2010, new Uint8Array([7])).done, 1);
  return { m, p, fd, src };
}

const copy = (p: Process, fd: number, dst: number, src: number, len = 0x1000) =>
  ioctl(p, fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, { dst, src, len, mode: 0 });

function bytesAt(p: Process, addr: number, len: number): number[] {
  const r = cpuRead(p, addr, len);
  assert.equal(r.sig, undefined);
  return [...r.bytes!];
}

for (const shmem of [false, true]) {
  const kind = shmem ? "shmem" : "anonymous";
  Deno.test(`UFFDIO_COPY (${kind}): each page gets its own source, a zero source after a full one reads 0`, () => {
    const { m, p, fd, src } = setup(0x5000, shmem);
    assert.equal(copy(p, fd, B, src), 0);
    const before = m.frames.materialized;
    // A never-written source after a full one: zeros, and no bytes kept.
    assert.equal(copy(p, fd, B + 0x1000, src + 0x1000), 0);
    assert.equal(m.frames.materialized, before);
    assert.deepEqual(bytesAt(p, B + 0x1000, 0x1000), new Array(0x1000).fill(0));
    assert.deepEqual(bytesAt(p, B, 0x1000), new Array(0x1000).fill(0x5a));
    // An unaligned source straddling the full page and the zero one.
    assert.equal(copy(p, fd, B + 0x2000, src + 0x800), 0);
    const mixed = bytesAt(p, B + 0x2000, 0x1000);
    assert.deepEqual(mixed.slice(0, 0x800), new Array(0x800).fill(0x5a));
    assert.deepEqual(mixed.slice(0x800), new Array(0x800).fill(0));
    // Two pages in one call: the one-byte page, then the full one again.
    assert.equal(copy(p, fd, B + 0x3000, src + 0x2000, 0x1000), 0);
    const one = bytesAt(p, B + 0x3000, 0x1000);
    assert.equal(one[0x10], 7);
    assert.equal(one.filter((b) => b !== 0).length, 1);
    assert.deepEqual(checkInvariants(m), []);
  });
}

Deno.test("UFFDIO_COPY writes back the copy field alone (put_user), as 6.18.44 does", () => {
  // A struct uffdio_copy in memory whose first 32 bytes sit on a read-only
  // page and whose out field starts the next, writable one: the copy
  // succeeds and copy= is written. With the out field on the read-only
  // page instead, the page is filled but the call is EFAULT.
  const { m, p, fd, src } = setup(0x2000);
  const two = B + 0x200000;
  map(p, two, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const at = two + 0x1000 - 32;
  const arg = (dst: number) =>
    encodeStruct(
      UFFDIO_COPY_LAYOUT,
      new Map([["dst", BigInt(dst)], ["src", BigInt(src)], ["len", 0x1000n], ["mode", 0n], [
        "copy",
        77n,
      ]]),
    ) as Uint8Array;
  assert.equal(cpuWrite(p, at, arg(B)).done, 40);
  assert.equal(sys(p, "mprotect", BigInt(two), 0x1000n, 1), 0);
  assert.equal(sysIoctl(p, fd, UFFDIO_COPY, BigInt(at)).ret, 0);
  assert.deepEqual(bytesAt(p, two + 0x1000, 8), [0, 0x10, 0, 0, 0, 0, 0, 0]); // copy=4096
  assert.equal(bytesAt(p, B, 1)[0], 0x5a);
  assert.equal(sys(p, "mprotect", BigInt(two), 0x1000n, RW), 0);
  assert.equal(cpuWrite(p, at, arg(B + 0x1000)).done, 40);
  assert.equal(sys(p, "mprotect", BigInt(two + 0x1000), 0x1000n, 1), 0);
  assert.equal(sysIoctl(p, fd, UFFDIO_COPY, BigInt(at)).ret, -EFAULT);
  assert.equal(bytesAt(p, two + 0x1000, 1)[0], 77);
  assert.equal(bytesAt(p, B + 0x1000, 1)[0], 0x5a);
  assert.deepEqual(checkInvariants(m), []);
});
