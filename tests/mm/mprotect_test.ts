/** mprotect(2): linux-mm.md §4. */
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_NONE,
  PROT_READ,
  PROT_SEM,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EACCES, EINVAL, ENOMEM } from "../../lib/abi/errno.ts";
import { smapsVmFlags, windowMaps } from "./helpers.ts";

const B = 0x7f0000000000n;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function setup(len = 0x3000n, prot = RW) {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, len, prot, ANON, -1, 0]);
  return { m, p };
}

Deno.test("mprotect: check order: GROWSDOWN|GROWSUP, alignment, len 0, wrap, prot bits (P3c, P1, P2a, P5a, P3a)", () => {
  const { p } = setup();
  assert.equal(syscall(p, "mprotect", [B + 1n, 0n, PROT_GROWSDOWN | PROT_GROWSUP]).ret, -EINVAL);
  assert.equal(syscall(p, "mprotect", [B + 1n, 0n, 0xff]).ret, -EINVAL);
  assert.equal(syscall(p, "mprotect", [B, 0n, 0xff]).ret, 0);
  assert.equal(syscall(p, "mprotect", [B, -0x1000n, 0xff]).ret, -ENOMEM);
  assert.equal(syscall(p, "mprotect", [0x1000n, 0x1000n, 0x10]).ret, -EINVAL); // before the hole check
  assert.equal(syscall(p, "mprotect", [B, 0x1000n, PROT_READ | PROT_SEM]).ret, 0); // P3b
  assert.equal(syscall(p, "mprotect", [0x1000n, 0x1000n, PROT_READ]).ret, -ENOMEM); // P4
});

Deno.test("mprotect: a middle page splits, changing it back merges again (P6)", () => {
  const { p } = setup();
  assert.equal(syscall(p, "mprotect", [B + 0x1000n, 0x1000n, PROT_READ]).ret, 0);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "7f0000001000-7f0000002000 r--p 00000000 00:00 0 ",
    "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 ",
  ]);
  assert.equal(syscall(p, "mprotect", [B + 0x1000n, 0x1000n, RW]).ret, 0);
  assert.deepEqual(windowMaps(p), ["7f0000000000-7f0000003000 rw-p 00000000 00:00 0 "]);
});

Deno.test("mprotect: a hole stops it with ENOMEM after earlier VMAs changed (P7); range starting in a hole changes nothing (P7b)", () => {
  const { p } = setup(0x4000n);
  syscall(p, "munmap", [B + 0x2000n, 0x1000n]);
  assert.equal(syscall(p, "mprotect", [B, 0x4000n, PROT_READ]).ret, -ENOMEM);
  assert.deepEqual(windowMaps(p), [
    "7f0000000000-7f0000002000 r--p 00000000 00:00 0 ",
    "7f0000003000-7f0000004000 rw-p 00000000 00:00 0 ",
  ]);
  assert.equal(syscall(p, "mprotect", [B + 0x2000n, 0x2000n, PROT_NONE]).ret, -ENOMEM);
  assert.equal(windowMaps(p)[1], "7f0000003000-7f0000004000 rw-p 00000000 00:00 0 ");
});

Deno.test("mprotect: an access the VMA may not gain (no VM_MAY* bit) is EACCES ([vvar], X4c)", () => {
  const { p } = setup(0x1000n);
  // [vvar] has no VM_MAYWRITE/VM_MAYEXEC: asking for them is EACCES (X4c).
  assert.equal(syscall(p, "mprotect", [0x7ffff7fc2000n, 0x4000n, RW]).ret, -EACCES);
  assert.equal(
    syscall(p, "mprotect", [0x7ffff7fc2000n, 0x4000n, PROT_READ | PROT_EXEC]).ret,
    -EACCES,
  );
});

Deno.test("mprotect: removing access faults with SEGV_ACCERR at the exact byte; data survives (F1, F3)", () => {
  const { p } = setup();
  cpuWrite(p, B + 0x10n, new Uint8Array([0x42]));
  syscall(p, "mprotect", [B, 0x1000n, PROT_NONE]);
  assert.deepEqual(cpuRead(p, B + 0x10n, 1).sig, { signo: 11, code: 2, addr: Number(B + 0x10n) });
  syscall(p, "mprotect", [B, 0x1000n, PROT_READ]);
  assert.deepEqual([...cpuRead(p, B + 0x10n, 1).bytes!], [0x42]);
  assert.deepEqual(cpuWrite(p, B + 0x11n, new Uint8Array([1])).sig, {
    signo: 11,
    code: 2,
    addr: Number(B + 0x11n),
  });
});

Deno.test("mprotect: a private mapping turning writable gains ac; never-faulted anon loses it again (P11)", () => {
  const { p } = setup(0x1000n, PROT_READ);
  assert.equal(smapsVmFlags(p, Number(B)), "rd mr mw me ");
  syscall(p, "mprotect", [B, 0x1000n, RW]);
  assert.equal(smapsVmFlags(p, Number(B)), "rd wr mr mw me ac ");
  syscall(p, "mprotect", [B, 0x1000n, PROT_READ]);
  assert.equal(smapsVmFlags(p, Number(B)), "rd mr mw me ");
});

Deno.test("mprotect: adding write does not make a COW-shared page writable; the next write copies (§4)", () => {
  const { m, p } = setup(0x1000n);
  cpuWrite(p, B, new Uint8Array([7]));
  const child = m.process(syscall(p, "fork", []).ret)!;
  syscall(p, "mprotect", [B, 0x1000n, PROT_READ]);
  syscall(p, "mprotect", [B, 0x1000n, RW]);
  const vpn = Number(B) / 4096;
  const before = p.mm.pt.pfnAt(vpn);
  assert.equal(child.mm.pt.pfnAt(vpn), before);
  cpuWrite(p, B, new Uint8Array([8]));
  assert.notEqual(p.mm.pt.pfnAt(vpn), before);
  assert.deepEqual([...cpuRead(child, B, 1).bytes!], [7]);
});

Deno.test("mprotect: PROT_GROWSDOWN needs a VM_GROWSDOWN VMA and extends the range to its start (P9a, P9b)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x2000n, RW, ANON, -1, 0]);
  assert.equal(
    syscall(p, "mprotect", [B + 0x1000n, 0x1000n, PROT_READ | PROT_GROWSDOWN]).ret,
    -EINVAL,
  );
  syscall(p, "mmap", [B + 0x10000n, 0x2000n, RW, ANON | MAP_GROWSDOWN, -1, 0]);
  assert.equal(syscall(p, "mprotect", [B + 0x11000n, 0x1000n, PROT_READ | PROT_GROWSDOWN]).ret, 0);
  assert.equal(windowMaps(p)[1], "7f0000010000-7f0000012000 r--p 00000000 00:00 0 ");
});

Deno.test("mprotect: shared anonymous memory becomes writable at once, no extra fault", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x1000n, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  cpuRead(p, B, 1);
  syscall(p, "mprotect", [B, 0x1000n, RW]);
  assert.equal(cpuWrite(p, B, new Uint8Array([1])).sig, undefined);
});

Deno.test("mprotect: a split after a merge reuses the merged-away VMA object, fully re-initialised", () => {
  const m = new Machine();
  const p = m.init;
  const P = 4096;
  const base = syscall(p, "mmap", [
    0x7f0000000000n,
    BigInt(3 * P),
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
    -1n,
    0n,
  ]).ret;
  cpuWrite(p, base, new Uint8Array([7]));
  assert.equal(syscall(p, "mprotect", [base + P, P, PROT_READ]).ret, 0);
  const middle = p.mm.vmas.find(base + P)!;
  const right = p.mm.vmas.find(base + 2 * P)!;
  middle.viewMemo = "stale";
  // Merging back removes the middle and right VMAs: both become free objects.
  assert.equal(syscall(p, "mprotect", [base + P, P, PROT_READ | PROT_WRITE]).ret, 0);
  assert.equal(p.mm.vmas.find(base)!.end, base + 3 * P);
  assert.ok(p.mm.freeVmas.includes(middle) && p.mm.freeVmas.includes(right));
  // The next split (the merged VMA keeps the middle) takes them again for
  // the two new pieces, with their new ranges and attributes.
  const merged = p.mm.vmas.find(base)!;
  assert.equal(syscall(p, "mprotect", [base + P, P, PROT_READ]).ret, 0);
  assert.equal(p.mm.vmas.find(base + P), merged);
  const again = [p.mm.vmas.find(base)!, p.mm.vmas.find(base + 2 * P)!];
  assert.ok(again.every((v) => v === middle || v === right) && again[0] !== again[1]);
  assert.deepEqual(again.map((v) => [v.start, v.end, v.pgoff * P, v.flags]), [
    [base, base + P, base, merged.flags | 2],
    [base + 2 * P, base + 3 * P, base + 2 * P, merged.flags | 2],
  ]);
  assert.equal(again.every((v) => v.anonVma !== null && v.anonVma === merged.anonVma), true);
  assert.equal(middle.viewMemo, null);
  assert.deepEqual(checkInvariants(m), []);
  assert.deepEqual(windowMaps(p).map((l) => l.split(" ")[1]), ["rw-p", "r--p", "rw-p"]);
});
