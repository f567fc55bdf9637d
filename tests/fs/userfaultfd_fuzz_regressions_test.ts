/**
 * userfaultfd behaviour the host differential fuzzer (repl/host/fuzz.ts)
 * found mmlab getting wrong, pinned at the lib level so that a machine
 * without gcc still checks it (the conformance cases replay them on the
 * host).
 */
import assert from "node:assert/strict";
import {
  encodeStruct,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_COPY,
  UFFDIO_COPY_LAYOUT,
  UFFDIO_MOVE,
  UFFDIO_MOVE_LAYOUT,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_ZEROPAGE,
  UFFDIO_ZEROPAGE_LAYOUT,
} from "../../lib/abi/ioctl.ts";
import { EINVAL, ENOENT } from "../../lib/abi/errno.ts";
import { vmFlagsText } from "../../lib/mm/vm_flags.ts";
import { MAP_ANONYMOUS, O_NONBLOCK } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { checkInvariants, cpuRead, cpuWrite, type Process } from "../../mod.ts";
import { UFFD_FEATURE_SIGBUS } from "../../lib/fs/userfaultfd.ts";
import { B, machine, map, PRIVATE, RW, sys } from "./helpers.ts";

function ioctl(p: Process, fd: number, cmd: number, layout = UFFDIO_REGISTER_LAYOUT, v: object) {
  const bytes = encodeStruct(layout, new Map(Object.entries(v))) as Uint8Array;
  return sysIoctl(p, fd, cmd, { value: 0n, literal: bytes }).ret;
}

function register(p: Process, fd: number, start: number, len: number): number {
  const range = new Map([["start", BigInt(start)], ["len", BigInt(len)]]);
  return ioctl(p, fd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, { range, mode: 1n });
}

Deno.test("UFFDIO_REGISTER again with the same context and mode does not split the VMA (tests/conformance/uffd_register_again.mm)", () => {
  const { m, p } = machine();
  map(p, B, 0xc000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  assert.equal(ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, { api: 0xaan, features: 0n }), 0);
  assert.equal(register(p, fd, B + 0x3000, 0x8000), 0);
  const vmas = () => [...p.mm.vmas].filter((v) => v.start >= B && v.end <= B + 0xc000).length;
  assert.equal(vmas(), 3);
  assert.equal(register(p, fd, B + 0x5000, 0x5000), 0);
  assert.equal(vmas(), 3);
  // Over a registered and an unregistered VMA: only the second changes.
  assert.equal(register(p, fd, B + 0x9000, 0x3000), 0);
  assert.equal(vmas(), 2);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("COPY, ZEROPAGE and MOVE give a private destination VMA its anon_vma even when they fail (tests/conformance/uffd_fill_anon_vma.mm)", () => {
  const { m, p } = machine();
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  assert.equal(ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, { api: 0xaan, features: 0n }), 0);
  for (let i = 0; i < 5; i++) map(p, B + i * 0x10000, 0x4000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const vma = (i: number) => p.mm.vmas.lookup(B + i * 0x10000)!;
  const at = (i: number) => BigInt(B + i * 0x10000);
  const move = { dst: at(0), src: at(1), len: 0x1000n, mode: 0n };
  assert.equal(ioctl(p, fd, UFFDIO_MOVE, UFFDIO_MOVE_LAYOUT, move), -EINVAL); // dst not registered
  const zero = { range: new Map([["start", at(2)], ["len", 0x1000n]]), mode: 0n };
  assert.equal(ioctl(p, fd, UFFDIO_ZEROPAGE, UFFDIO_ZEROPAGE_LAYOUT, zero), -ENOENT);
  const copy = { dst: at(3), src: at(1), len: 0x1000n, mode: 0n };
  assert.equal(ioctl(p, fd, UFFDIO_COPY, UFFDIO_COPY_LAYOUT, copy), -ENOENT);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => vma(i).anonVma !== null), [
    true,
    false,
    true,
    true,
    false,
  ]);
  // mprotect_fixup(): read-only keeps VM_ACCOUNT only where there is an anon_vma.
  for (let i = 0; i < 5; i++) assert.equal(sys(p, "mprotect", at(i), 0x1000n, 1), 0);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => vmFlagsText(vma(i).flags).includes(" ac")),
    [true, false, true, true, false],
  );
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("UFFD_FEATURE_SIGBUS: a store's fault prepares the anon_vma before the SIGBUS, a load's does not (tests/conformance/uffd_sigbus_anon_vma.mm)", () => {
  const { m, p } = machine();
  map(p, B, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  map(p, B + 0x10000, 0x2000, RW, PRIVATE | MAP_ANONYMOUS, -1);
  const fd = sys(p, "userfaultfd", O_NONBLOCK);
  const api = { api: 0xaan, features: UFFD_FEATURE_SIGBUS };
  assert.equal(ioctl(p, fd, UFFDIO_API, UFFDIO_API_LAYOUT, api), 0);
  assert.equal(register(p, fd, B, 0x12000), 0);
  assert.equal(cpuWrite(p, B, new Uint8Array([1])).sig?.signo, 7);
  assert.equal(cpuRead(p, B + 0x10008, 2).sig?.signo, 7);
  assert.notEqual(p.mm.vmas.lookup(B)!.anonVma, null);
  assert.equal(p.mm.vmas.lookup(B + 0x10000)!.anonVma, null);
  assert.deepEqual(checkInvariants(m), []);
});
