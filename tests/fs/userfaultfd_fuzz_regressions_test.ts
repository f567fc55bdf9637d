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
  UFFDIO_REGISTER,
} from "../../lib/abi/ioctl.ts";
import { UFFDIO_REGISTER_LAYOUT } from "../../lib/abi/ioctl.ts";
import { MAP_ANONYMOUS, O_NONBLOCK } from "../../lib/abi/mman.ts";
import { sysIoctl } from "../../lib/fs/ioctl.ts";
import { checkInvariants, type Process } from "../../mod.ts";
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
