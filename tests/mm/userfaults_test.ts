/**
 * Userfault hooks belong to one mm (lib/mm/userfaultfd_k.ts): two machines
 * in one process never see each other's missing-fault, UNMAP or REMOVE
 * subscribers, and a fork's child starts without its parent's.
 */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import type { Vma } from "../../mod.ts";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { VM_FAULT_SIGBUS } from "../../lib/mm/vm_ops.ts";

const B = 0x7f0000000000n;
const PG = 0x1000n;
const SIGBUS = 7;

function mapped(): { m: Machine; p: Process } {
  const m = new Machine();
  const p = m.init;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  assert.equal(
    syscall(p, "mmap", [B, 4n * PG, PROT_READ | PROT_WRITE, flags, -1, 0]).ret,
    Number(B),
  );
  return { m, p };
}

/** A context that takes every missing fault over with SIGBUS and logs every event. */
function subscribeRecorder(p: Process, log: string[]): () => void {
  return p.mm.userfaults.subscribe({
    missing(_vma: Vma, addr: number) {
      log.push(`missing ${addr.toString(16)}`);
      return VM_FAULT_SIGBUS;
    },
    unmap(start: number, end: number) {
      log.push(`unmap ${start.toString(16)}-${end.toString(16)}`);
    },
    remove(_vma: Vma, start: number, end: number) {
      log.push(`remove ${start.toString(16)}-${end.toString(16)}`);
    },
  });
}

function exercise(p: Process): { faultSig: number | undefined } {
  const r = cpuRead(p, B, 1);
  assert.equal(cpuWrite(p, B + PG, new Uint8Array([1])).sig?.signo, r.sig?.signo);
  assert.equal(syscall(p, "madvise", [B, PG, MADV_DONTNEED]).ret, 0);
  assert.equal(syscall(p, "munmap", [B + 3n * PG, PG]).ret, 0);
  return { faultSig: r.sig?.signo };
}

Deno.test("userfaults: two machines in one process do not share hooks", () => {
  const a = mapped(), b = mapped();
  const logA: string[] = [], logB: string[] = [];
  const offA = subscribeRecorder(a.p, logA);
  // Machine b has no subscriber: its faults and unmaps go the ordinary way.
  assert.equal(b.p.mm.userfaults.size, 0);
  assert.equal(exercise(b.p).faultSig, undefined);
  assert.deepEqual(logA, []);
  // Machine a's subscriber takes its missing faults (SIGBUS) and sees its events only.
  a.p.dispositions.set(SIGBUS, "catch");
  assert.equal(exercise(a.p).faultSig, SIGBUS);
  assert.deepEqual(logA, [
    "missing 7f0000000000",
    "missing 7f0000001000",
    "remove 7f0000000000-7f0000001000",
    "unmap 7f0000003000-7f0000004000",
  ]);
  // Now b subscribes too; a's events stay a's.
  subscribeRecorder(b.p, logB);
  assert.equal(syscall(b.p, "munmap", [B, PG]).ret, 0);
  assert.deepEqual(logB, ["unmap 7f0000000000-7f0000001000"]);
  assert.equal(logA.length, 4);
  // Unsubscribing restores the ordinary missing fault on a.
  offA();
  assert.equal(a.p.mm.userfaults.size, 0);
  assert.equal(cpuRead(a.p, B + 2n * PG, 1).sig, undefined);
  assert.equal(logA.length, 4);
});

Deno.test("userfaults: a fork's child starts with no subscribers (no UFFD_FEATURE_EVENT_FORK)", () => {
  const { p } = mapped();
  const log: string[] = [];
  subscribeRecorder(p, log);
  const pid = syscall(p, "fork", []).ret;
  const child = p.machine.procs.get(pid)!;
  assert.equal(child.mm.userfaults.size, 0);
  assert.equal(cpuRead(child, B, 1).sig, undefined);
  assert.deepEqual(log, []);
});
