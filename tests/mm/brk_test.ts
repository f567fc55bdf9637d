/** brk(2): relative behaviour checked on 6.18.44 with a C probe (setarch -R). */
import assert from "node:assert/strict";
import { checkInvariants, cpuWrite, Machine, syscall } from "../../mod.ts";
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ } from "../../lib/abi/mman.ts";
import { mapsLines } from "../../mod.ts";

const heap = (lines: string[]) =>
  lines.filter((l) => l.startsWith("5555555") && !l.includes("/usr/bin"));

Deno.test("brk: grows page-rounded, shrinks by unmapping, refuses below start_brk (returns the old break)", () => {
  const m = new Machine();
  const p = m.init;
  const b = syscall(p, "brk", [0]).ret;
  assert.equal(b, 0x555555581000);
  assert.equal(syscall(p, "brk", [b + 1]).ret, b + 1);
  assert.deepEqual(heap(mapsLines(p)), [
    "555555560000-555555582000 rw-p 00000000 00:00 0                          [heap]",
  ]);
  assert.equal(syscall(p, "brk", [b + 0x3000]).ret, b + 0x3000);
  assert.equal(syscall(p, "brk", [b + 0x1800]).ret, b + 0x1800);
  assert.equal(p.mm.vmas.lookup(b)!.end, b + 0x2000);
  assert.equal(syscall(p, "brk", [0x555555000000]).ret, b + 0x1800);
  assert.equal(syscall(p, "brk", [-1n]).ret, b + 0x1800);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("brk: growth needs a free page before the next mapping", () => {
  const p = new Machine().init;
  const b = syscall(p, "brk", [0]).ret;
  syscall(p, "mmap", [
    b + 0x10000,
    4096,
    PROT_READ,
    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
    -1,
    0,
  ]);
  assert.equal(syscall(p, "brk", [b + 0x20000]).ret, b);
  assert.equal(syscall(p, "brk", [b + 0x10000]).ret, b);
  assert.equal(syscall(p, "brk", [b + 0xf000]).ret, b + 0xf000);
});

Deno.test("brk: a fork child's heap cannot expand its inherited VMA: a second [heap] VMA appears", () => {
  const m = new Machine();
  const p = m.init;
  const b = syscall(p, "brk", [0]).ret;
  cpuWrite(p, b - 8, new Uint8Array([1]));
  const c = m.process(syscall(p, "fork", []).ret)!;
  assert.equal(syscall(c, "brk", [b + 0x3000]).ret, b + 0x3000);
  assert.deepEqual(heap(mapsLines(c)), [
    "555555560000-555555581000 rw-p 00000000 00:00 0                          [heap]",
    "555555581000-555555584000 rw-p 00000000 00:00 0                          [heap]",
  ]);
  assert.equal(syscall(p, "brk", [b + 0x3000]).ret, b + 0x3000);
  assert.equal(heap(mapsLines(p)).length, 1, "the parent's heap VMA simply grows");
  assert.deepEqual(checkInvariants(m), []);
});
