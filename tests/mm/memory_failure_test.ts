/**
 * Memory failure (mm/memory-failure.c, devices.md §2.2 item 11):
 * MADV_HWPOISON by configuration and capability, the SIGBUS codes and log
 * lines, a pinned page's "still referenced by N users", free and reserved
 * pages, DAX pages, and poisoned frames never handed out again.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  holdUserPages,
  injectFault,
  Machine,
  pinUserPages,
  releaseHeldPages,
  syscall,
} from "../../mod.ts";
import {
  MADV_HWPOISON,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EINVAL, EIO, EPERM } from "../../lib/abi/errno.ts";
import { BUS_MCEERR_AO, BUS_MCEERR_AR, SIGBUS } from "../../lib/abi/signal.ts";
import { FOLL_WRITE } from "../../lib/mm/gup.ts";
import { PG_HWPOISON } from "../../lib/phys/frames.ts";

const MF = { "config.MEMORY_FAILURE": "y" } as const;

function anon(m: Machine, pages = 2): number {
  const p = m.init;
  const a = syscall(p, "mmap", [
    0,
    pages * 4096,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS,
    -1,
    0,
  ])
    .ret;
  for (let i = 0; i < pages; i++) cpuWrite(p, a + i * 4096, new Uint8Array([0x41 + i]));
  return a;
}

function dmesg(m: Machine): string[] {
  return m.dmesg.lines.map((l) => l.text);
}

Deno.test("MADV_HWPOISON: EINVAL without CONFIG_MEMORY_FAILURE, EPERM without root", () => {
  const off = new Machine();
  assert.equal(syscall(off.init, "madvise", [anon(off), 4096, MADV_HWPOISON]).ret, -EINVAL);
  const user = new Machine({ root: false, policies: MF });
  assert.equal(syscall(user.init, "madvise", [anon(user), 4096, MADV_HWPOISON]).ret, -EPERM);
});

Deno.test("MADV_HWPOISON: the caller gets BUS_MCEERR_AR now and on the next touch (MCE: Killing)", () => {
  const m = new Machine({ policies: MF });
  const p = m.init;
  const a = anon(m);
  const pfn = p.mm.pt.pfnAt(a / 4096);
  assert.equal(syscall(p, "madvise", [a, 4096, MADV_HWPOISON]).ret, 0);
  assert.deepEqual(p.signals.at(-1), { signo: SIGBUS, code: BUS_MCEERR_AR, addr: a, addrLsb: 12 });
  const r = cpuRead(p, a, 1);
  assert.deepEqual(r.sig, { signo: SIGBUS, code: BUS_MCEERR_AR, addr: a, addrLsb: 12 });
  const hex = "0x" + pfn.toString(16);
  assert.deepEqual(dmesg(m), [
    `Injecting memory failure for pfn ${hex} at process virtual address 0x${a.toString(16)}`,
    `Memory failure: ${hex}: Sending SIGBUS to prog:1 due to hardware memory corruption`,
    `Memory failure: ${hex}: recovery action for dirty LRU page: Recovered`,
    `MCE: Killing prog:1 due to hardware memory corruption fault at ${a.toString(16)}`,
  ]);
  // Never handed out again.
  assert.ok(m.frames.flags[pfn] & PG_HWPOISON);
  assert.equal(m.frames.onFreeStack(pfn), false);
  const more =
    syscall(p, "mmap", [0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0])
      .ret;
  for (let i = 0; i < 64; i++) {
    cpuWrite(p, more + i * 4096, new Uint8Array([1]));
    assert.notEqual(p.mm.pt.pfnAt(more / 4096 + i), pfn);
  }
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("memory_failure: a pinned page is still referenced by 1024 users: Failed", () => {
  const m = new Machine({ policies: MF });
  const p = m.init;
  const a = anon(m);
  const r = pinUserPages(p.mm, a, 1, FOLL_WRITE);
  holdUserPages(p.mm, r.pages);
  const pfn = r.pages[0].pfn;
  const hex = "0x" + pfn.toString(16);
  assert.deepEqual(injectFault(m, "hwpoison", hex), { ok: [`pfn ${hex}: dirty LRU page: Failed`] });
  assert.ok(
    dmesg(m).includes(`Memory failure: ${hex}: dirty LRU page still referenced by 1024 users`),
  );
  // Late kill by default: no signal yet, the touch gets it.
  assert.deepEqual(p.signals, []);
  assert.equal(cpuRead(p, a, 1).sig?.code, BUS_MCEERR_AR);
  assert.deepEqual(checkInvariants(m), []);
  // The unpin drops the last reference: the frame stays out of the allocator.
  assert.equal(releaseHeldPages(p.mm, a, 1), 1);
  assert.equal(m.frames.refcount[pfn], 0);
  assert.equal(m.frames.onFreeStack(pfn), false);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("memory_failure: early kill (vm.memory_failure_early_kill) sends BUS_MCEERR_AO to every mapper", () => {
  const m = new Machine({ policies: MF });
  m.sysctl.memoryFailureEarlyKill = 1;
  const p = m.init;
  const a = anon(m);
  const child = m.process(syscall(p, "fork", []).ret)!;
  const pfn = p.mm.pt.pfnAt(a / 4096);
  injectFault(m, "hwpoison", String(pfn));
  for (const q of [p, child]) {
    assert.deepEqual(q.signals.at(-1), {
      signo: SIGBUS,
      code: BUS_MCEERR_AO,
      addr: a,
      addrLsb: 12,
    });
  }
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("memory_failure: free, reserved, already poisoned, outside memory", () => {
  const m = new Machine({ ramBytes: 64 << 20, policies: MF });
  const free = m.frames.nframes - 3;
  assert.deepEqual(injectFault(m, "hwpoison", String(free)), {
    ok: [`pfn 0x${free.toString(16)}: free buddy page: Recovered`],
  });
  assert.equal(m.frames.onFreeStack(free), false);
  assert.deepEqual(injectFault(m, "hwpoison", String(m.frames.zeroPfn)), {
    ok: [`pfn 0x${m.frames.zeroPfn.toString(16)}: reserved kernel page: Ignored`],
  });
  injectFault(m, "hwpoison", String(free));
  assert.ok(dmesg(m).includes(`Memory failure: 0x${free.toString(16)}: already hardware poisoned`));
  injectFault(m, "hwpoison", "0x100000000");
  assert.ok(dmesg(m).includes("Memory failure: 0x100000000: memory outside kernel control"));
  assert.ok("error" in injectFault(new Machine(), "hwpoison", "1"));
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("memory_failure: a DAX page: dax page: Recovered; reads EIO, faults MCEERR_AR", () => {
  const m = new Machine({ pmemBytes: 16 << 20, policies: MF });
  const p = m.init;
  const fd = syscall(p, "open", ["/mnt/pmem/f", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(p, "pwrite", [fd, "dax data", 8, 0]);
  const a = syscall(p, "mmap", [0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  cpuRead(p, a, 1);
  const pfn = p.mm.pt.pfnAt(a / 4096);
  assert.ok(m.frames.isPmem(pfn));
  assert.deepEqual(injectFault(m, "hwpoison", String(pfn)), {
    ok: [`pfn 0x${pfn.toString(16)}: dax page: Recovered`],
  });
  assert.equal(syscall(p, "pread", [fd, new Uint8Array(0), 8, 0]).ret, -EIO);
  assert.equal(cpuRead(p, a, 1).sig?.code, BUS_MCEERR_AR);
  assert.deepEqual(checkInvariants(m), []);
});
