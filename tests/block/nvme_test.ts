/**
 * /dev/nvme0n1 with O_DIRECT (lib/block/blkdev.ts, lib/drivers/nvme):
 * blkdev_direct_IO's checks, the user pages held per dio.pinType while the
 * device works on the virtual clock, DMA into the frames at completion.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  Machine,
  PTHREAD_CLONE_FLAGS,
  syscall,
} from "../../mod.ts";
import type { MachineEvent, Process } from "../../mod.ts";
import {
  MADV_DONTFORK,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_DIRECT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { EFAULT, EINVAL, ENOMEM, ENOSPC } from "../../lib/abi/errno.ts";
import { NVME_LATENCY_NS } from "../../lib/drivers/nvme/nvme.ts";
import { WCHAN_BIO } from "../../lib/block/blkdev.ts";

const B = 0x7f0000000000;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

function setup(pinType: "get" | "pin" = "pin") {
  const m = new Machine({ policies: { "dio.pinType": pinType } });
  const p = m.init;
  const fd = syscall(p, "open", ["/dev/nvme0n1", O_RDWR | O_DIRECT]).ret;
  assert.equal(fd, 3);
  syscall(p, "mmap", [B, 0x4000, RW, ANON, -1, 0]);
  // The disk's first 4 KiB: 'D'.
  m.nvme.writeBytes(0, new Uint8Array(4096).fill(0x44));
  return { m, p, fd };
}

const resumes = (m: Machine, from: number) =>
  m.events.since(from).events.filter((e): e is Extract<MachineEvent, { kind: "resume" }> =>
    e.kind === "resume"
  );

/** Lets the device finish everything queued. */
const settle = (m: Machine) => m.sched.advanceTo(m.clock.ns + 10 * NVME_LATENCY_NS);

const pread = (p: Process, fd: number, addr: number | string, n: number, pos: number) =>
  syscall(p, "pread", [fd, addr, n, pos]);

Deno.test("nvme O_DIRECT: blkdev_direct_IO refuses misaligned offsets, lengths and buffers", () => {
  const { m, p, fd } = setup();
  assert.equal(pread(p, fd, B + 1, 512, 0).ret, -EINVAL, "buffer not dword aligned");
  assert.equal(pread(p, fd, B, 512, 1).ret, -EINVAL, "offset not a block");
  assert.equal(pread(p, fd, B, 100, 0).ret, -EINVAL, "length not a block");
  assert.equal(pread(p, fd, B, 0, 0).ret, 0, "nothing to do");
  assert.equal(pread(p, fd, B, 512, m.nvme.size).ret, 0, "at the end: 0, before any check");
  assert.equal(syscall(p, "pwrite", [fd, B, 512, m.nvme.size]).ret, -ENOSPC);
  assert.equal(pread(p, fd, 0x10000, 512, 0).ret, -EFAULT, "no VMA: GUP fails");
  assert.equal(m.nvme.queue.length, 0);
  assert.deepEqual(checkInvariants(m), []);
  // A dword-aligned buffer is enough for NVMe (dma_alignment 3).
  assert.ok(pread(p, fd, B + 4, 512, 0).pending !== undefined);
  settle(m);
  assert.deepEqual([...cpuRead(p, B, 6).bytes!], [0, 0, 0, 0, 0x44, 0x44]);
});

Deno.test("nvme O_DIRECT: the thread sleeps in D until the device completes; pins held meanwhile", () => {
  const { m, p, fd } = setup("pin");
  cpuWrite(p, B, new Uint8Array([1]));
  const pfn = p.mm.pt.pfnAt(B / 4096);
  const from = m.events.end;
  const t0 = m.clock.ns;
  const r = pread(p, fd, B, 4096, 0);
  assert.notEqual(r.pending, undefined);
  assert.equal(p.leader.state, "disk");
  assert.equal(p.leader.wchan, WCHAN_BIO);
  assert.equal(m.frames.refcount[pfn], 1025);
  assert.equal(m.vmstat.follPinAcquired, 1);
  assert.ok(p.mm.hasPinned);
  assert.equal(cpuRead(p, B, 1).bytes![0], 1, "nothing arrived yet");
  assert.deepEqual(checkInvariants(m), []);
  settle(m);
  const [done] = resumes(m, from);
  assert.equal(done.ret, 4096);
  assert.equal(done.call, "pread");
  assert.ok(done.ns >= t0 + NVME_LATENCY_NS, "completes later on the virtual clock");
  assert.equal(cpuRead(p, B, 1).bytes![0], 0x44);
  assert.equal(m.frames.refcount[pfn], 1);
  assert.equal(m.vmstat.follPinReleased, 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("nvme O_DIRECT: dio.pinType=get holds plain references (<= 6.4)", () => {
  const { m, p, fd } = setup("get");
  cpuWrite(p, B, new Uint8Array([1]));
  const pfn = p.mm.pt.pfnAt(B / 4096);
  pread(p, fd, B, 8192, 0);
  assert.equal(m.frames.refcount[pfn], 2);
  assert.equal(m.frames.pincount[pfn], 0);
  assert.equal(m.vmstat.follPinAcquired, 0);
  assert.deepEqual(checkInvariants(m), []);
  settle(m);
  assert.equal(m.frames.refcount[pfn], 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("nvme O_DIRECT: DMA lands in the frame after munmap; the last put frees it", () => {
  const { m, p, fd } = setup();
  const t = m.task(syscall(p, "clone", [PTHREAD_CLONE_FLAGS]).ret)!;
  cpuWrite(p, B, new Uint8Array([1]));
  const pfn = p.mm.pt.pfnAt(B / 4096);
  const free = m.frames.freeCount;
  const r = m.runIn(t, () => pread(p, fd, B, 512, 0));
  assert.notEqual(r.pending, undefined);
  assert.equal(syscall(p, "munmap", [B, 0x4000]).ret, 0);
  assert.equal(m.frames.refcount[pfn], 1024, "only the pin holds it");
  assert.deepEqual(checkInvariants(m), []);
  settle(m);
  assert.equal(m.frames.freeCount, free + 1, "freed at completion");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("nvme O_DIRECT: a process dying mid-I/O leaks nothing; buffered I/O is synchronous", () => {
  const { m, p, fd } = setup("get");
  const t = m.task(syscall(p, "clone", [PTHREAD_CLONE_FLAGS]).ret)!;
  cpuWrite(p, B, new Uint8Array([1]));
  const pfn = p.mm.pt.pfnAt(B / 4096);
  m.runIn(t, () => pread(p, fd, B, 4096, 0));
  syscall(p, "exit_group", [0]);
  assert.ok(!m.frames.isFree(pfn), "the I/O's reference keeps the frame");
  assert.equal(m.nvme.queue.length, 1, "the device still works on it");
  settle(m);
  assert.equal(m.nvme.queue.length, 0);
  assert.deepEqual(checkInvariants(m), []);
  assert.ok(m.frames.isFree(pfn), "given back at completion");
  // Buffered (no O_DIRECT): straight to the device, no sleep, any alignment.
  const m2 = new Machine();
  const p2 = m2.init;
  const fd2 = syscall(p2, "open", ["/dev/nvme0n1", O_RDWR]).ret;
  assert.equal(syscall(p2, "pwrite", [fd2, "hello", 5, 3]).ret, 5);
  const r = syscall(p2, "pread", [fd2, "", 8, 1]);
  assert.equal(r.ret, 8);
  assert.deepEqual([...r.data!], [0, 0, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0]);
});

Deno.test("fork under strict overcommit: ENOMEM for a large private buffer unless MADV_DONTFORK", () => {
  const m = new Machine({ sysctl: { overcommitMemory: 2 } });
  const p = m.init;
  const big = syscall(p, "mmap", [0, 300 << 20, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0]).ret;
  assert.ok(big > 0);
  cpuWrite(p, big, new Uint8Array([1]));
  const next = syscall(p, "fork", []).ret;
  assert.equal(next, -ENOMEM);
  assert.equal(m.procs.size, 1);
  assert.deepEqual(checkInvariants(m), [], "the half-built child left nothing behind");
  assert.equal(syscall(p, "madvise", [big, 300 << 20, MADV_DONTFORK]).ret, 0);
  assert.equal(syscall(p, "fork", []).ret, 2, "the failed fork used no pid");
  assert.deepEqual(checkInvariants(m), []);
});
