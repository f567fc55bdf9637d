/** The fault path and CPU accesses: linux-mm.md §7. */
import assert from "node:assert/strict";
import { resource, setRlimit } from "../../mod.ts";
import { cpuExec, cpuFill, cpuRead, cpuWrite, Machine, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_GROWSDOWN,
  MAP_NORESERVE,
  MAP_PRIVATE,
  PROT_EXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { PTE_SPECIAL } from "../../lib/mm/pagetable.ts";

const B = 0x7f0000000000n;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const SEGV = 11, MAPERR = 1, ACCERR = 2;

function setup(prot: number, len = 0x2000n, flags = ANON) {
  const m = new Machine();
  const p = m.init;
  assert.equal(syscall(p, "mmap", [B, len, prot, flags, -1, 0]).ret, Number(B));
  return { m, p };
}

Deno.test("fault: a read maps the shared zero page, Rss unchanged; a write allocates (F7, F7c)", () => {
  const { m, p } = setup(PROT_READ | PROT_WRITE);
  const free0 = m.frames.freeCount;
  assert.deepEqual([...cpuRead(p, B, 2).bytes!], [0, 0]);
  const vpn = Number(B) / 4096;
  assert.equal(p.mm.pt.pfnAt(vpn), m.frames.zeroPfn);
  assert.ok(p.mm.pt.bitsAt(vpn) & PTE_SPECIAL);
  assert.equal(m.frames.freeCount, free0);
  cpuWrite(p, B, new Uint8Array([5]));
  assert.notEqual(p.mm.pt.pfnAt(vpn), m.frames.zeroPfn);
  assert.equal(m.frames.freeCount, free0 - 1);
  assert.deepEqual([...cpuRead(p, B, 1).bytes!], [5]);
});

Deno.test("fault: si_addr is the exact byte; a straddling access faults at the next page's start (F1, F5)", () => {
  const { p } = setup(PROT_READ | PROT_WRITE, 0x1000n);
  assert.deepEqual(cpuRead(p, B + 0x1000n + 0x123n, 1).sig, {
    signo: SEGV,
    code: MAPERR,
    addr: Number(B) + 0x1123,
  });
  const r = cpuRead(p, B + 0xffcn, 8);
  assert.deepEqual(r.sig, { signo: SEGV, code: MAPERR, addr: Number(B) + 0x1000 });
  assert.equal(r.done, 4);
});

Deno.test("fault: x86 access rules: write-only and exec-only are readable; PROT_NONE is not (F3c, F4c, F3)", () => {
  for (const prot of [PROT_WRITE, PROT_EXEC]) {
    const { p } = setup(prot, 0x1000n);
    assert.equal(cpuRead(p, B, 1).sig, undefined);
  }
  const { p } = setup(PROT_NONE, 0x1000n);
  assert.deepEqual(cpuRead(p, B, 1).sig, { signo: SEGV, code: ACCERR, addr: Number(B) });
  assert.deepEqual(cpuWrite(p, B + 4n, new Uint8Array([1])).sig, {
    signo: SEGV,
    code: ACCERR,
    addr: Number(B) + 4,
  });
});

Deno.test("fault: exec needs PROT_EXEC; si_addr is the instruction address (F4)", () => {
  const { p } = setup(PROT_READ, 0x1000n);
  assert.deepEqual(cpuExec(p, B + 0x40n).sig, {
    signo: SEGV,
    code: ACCERR,
    addr: Number(B) + 0x40,
  });
  const q = setup(PROT_READ | PROT_EXEC, 0x1000n).p;
  assert.equal(cpuExec(q, B).sig, undefined);
});

Deno.test("fault: non-canonical is SI_KERNEL with si_addr 0; kernel half and the last page are MAPERR (F6, F6b, F6e, F6f)", () => {
  const p = new Machine().init;
  assert.deepEqual(cpuRead(p, 0x800000000000n, 1).sig, { signo: SEGV, code: 0x80, addr: 0 });
  assert.deepEqual(cpuRead(p, 0x7ffffffff000n, 1).sig, {
    signo: SEGV,
    code: MAPERR,
    addr: 0x7ffffffff000,
  });
  assert.deepEqual(cpuRead(p, 0n, 1).sig, { signo: SEGV, code: MAPERR, addr: 0 });
  const k = cpuRead(p, 0xffffffff81000000n, 1).sig!;
  assert.equal(k.code, MAPERR);
});

Deno.test("fault: [vvar] pages 1 and 3 raise SIGBUS BUS_ADRERR; [vvar_vclock] page 1 too (F10, F10b)", () => {
  const p = new Machine().init;
  assert.equal(cpuRead(p, 0x7ffff7fc2000n, 1).sig, undefined);
  assert.deepEqual(cpuRead(p, 0x7ffff7fc3000n, 1).sig, { signo: 7, code: 2, addr: 0x7ffff7fc3000 });
  assert.deepEqual(cpuRead(p, 0x7ffff7fc5008n, 1).sig, { signo: 7, code: 2, addr: 0x7ffff7fc5008 });
  assert.deepEqual(cpuRead(p, 0x7ffff7fc7000n, 1).sig, { signo: 7, code: 2, addr: 0x7ffff7fc7000 });
});

Deno.test("fault: SIG_DFL kills the process; the default here catches and goes on", () => {
  const m = new Machine();
  const p = m.init;
  assert.equal(cpuRead(p, 0x10n, 1).killed, false);
  assert.ok(p.alive);
  syscall(p, "signal", [SEGV, 0]);
  assert.equal(cpuRead(p, 0x10n, 1).killed, true);
  assert.equal(p.alive, false);
  assert.deepEqual(p.exitStatus, { signal: SEGV, core: true });
});

Deno.test("stack: accesses below a growsdown VMA extend it, anywhere in the gap (F11)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B + 0x100000n, 0x1000n, PROT_READ | PROT_WRITE, ANON | MAP_GROWSDOWN, -1, 0]);
  assert.equal(cpuWrite(p, B + 0xf0008n, new Uint8Array([1])).sig, undefined);
  assert.equal(p.mm.vmas.lookup(Number(B) + 0x100000)!.start, Number(B) + 0xf0000);
});

Deno.test("stack: growth stops a guard gap above an accessible VMA; RLIMIT_STACK bounds it (F11d, F12b)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 0x1000n, PROT_READ, ANON, -1, 0]);
  syscall(p, "mmap", [B + 0x200000n, 0x1000n, PROT_READ | PROT_WRITE, ANON | MAP_GROWSDOWN, -1, 0]);
  // Within 1 MiB of the VMA at B: refused.
  assert.deepEqual(cpuRead(p, B + 0x80000n, 1).sig, {
    signo: SEGV,
    code: MAPERR,
    addr: Number(B) + 0x80000,
  });
  assert.equal(cpuRead(p, B + 0x101000n, 1).sig, undefined);
  // The main [stack] may not grow beyond 8 MiB.
  const top = 0x7ffffffff000n;
  assert.equal(cpuRead(p, top - 0x7ff000n, 1).sig, undefined);
  assert.equal(cpuRead(p, top - 0x801000n, 1).sig?.code, MAPERR);
});

Deno.test("stack: growth also answers to RLIMIT_AS and, locked, RLIMIT_MEMLOCK (acct_stack_growth)", () => {
  const m = new Machine({ root: false });
  const p = m.init;
  const top = 0x7ffffffff000n;
  // RLIMIT_AS at the current total: no page more.
  let total = 0;
  for (let v = p.mm.vmas.first; v !== null; v = v.next) total += v.end - v.start;
  setRlimit(p, resource.RLIMIT_AS, [BigInt(total), resource.RLIM_INFINITY]);
  assert.equal(cpuRead(p, top - 0x40000n, 1).sig?.code, MAPERR);
  setRlimit(p, resource.RLIMIT_AS, [resource.RLIM_INFINITY, resource.RLIM_INFINITY]);
  assert.equal(cpuRead(p, top - 0x40000n, 1).sig, undefined);
  // A locked stack may grow only within RLIMIT_MEMLOCK (for a user without CAP_IPC_LOCK).
  syscall(p, "mmap", [B + 0x200000n, 0x1000n, PROT_READ | PROT_WRITE, ANON | MAP_GROWSDOWN, -1, 0]);
  assert.equal(syscall(p, "mlock", [B + 0x200000n, 0x1000n]).ret, 0);
  setRlimit(p, resource.RLIMIT_MEMLOCK, [0x2000n, 0x2000n]);
  assert.equal(cpuRead(p, B + 0x1ff000n, 1).sig, undefined); // 2 pages locked: at the limit
  assert.equal(cpuRead(p, B + 0x1fe000n, 1).sig?.code, MAPERR);
});

Deno.test("fault: out of memory, the OOM killer kills the faulting process and logs the kernel's line", () => {
  const m = new Machine({ ramBytes: 48 << 20 });
  const p = m.init;
  const anon = MAP_PRIVATE | MAP_ANONYMOUS;
  // Heuristic overcommit refuses more than RAM up front; MAP_NORESERVE is not charged.
  assert.equal(syscall(p, "mmap", [0n, 64n << 20n, PROT_READ | PROT_WRITE, anon, -1, 0]).ret, -12);
  const a =
    syscall(p, "mmap", [0n, 64n << 20n, PROT_READ | PROT_WRITE, anon | MAP_NORESERVE, -1, 0]).ret;
  const r = cpuFill(p, a, 1, 64 << 20);
  assert.equal(r.killed, true);
  assert.equal(p.alive, false);
  assert.deepEqual(p.exitStatus, { signal: 9, core: false });
  const line = m.dmesg.format().at(-1)!;
  assert.match(
    line,
    /^\[ +\d+\.\d{6}\] Out of memory: Killed process 1 \(prog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:0$/,
  );
  assert.doesNotMatch(line, /^\[ +0\.000000\]/, "the virtual clock advanced");
  assert.equal(
    m.frames.freeCount,
    new Machine({ ramBytes: 48 << 20 }).frames.freeCount,
    "everything freed",
  );
});
