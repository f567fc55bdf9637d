/** The RDMA uverbs driver and libibverbs: devices.md §1.1 (seed 000). */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  Machine,
  type MachineConfig,
  mapsLines,
  syscall,
  type VContext,
  type VObject,
} from "../../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";
import { BUS_ADRERR, SEGV_ACCERR, SIGBUS } from "../../../lib/abi/signal.ts";
import { EAGAIN, EBUSY, EINVAL, EIO, ENOENT, ENXIO, EPERM } from "../../../lib/abi/errno.ts";
import { installFile } from "../../../lib/fs/syscalls.ts";
import { vmFlagsText } from "../../../lib/mm/vm_flags.ts";
import { IB_ACCESS_LOCAL_WRITE, IB_ACCESS_ON_DEMAND } from "../../../lib/drivers/rdma/ib_verbs.ts";
import { ibUmemGet } from "../../../lib/drivers/rdma/umem.ts";
import { MM_PINS } from "../../../lib/drivers/rdma/hw.ts";
import { injectFault } from "../../../lib/drivers/core/fault.ts";
import { cmdGetContext, uverbsFileOfFd } from "../../../lib/drivers/rdma/uverbs_cmd.ts";

const RW = PROT_READ | PROT_WRITE;

/** A process with a device open, a PD, a 16 KiB MR, a CQ and a QP. */
function setup(config: MachineConfig = {}, dev = "mlx5_1") {
  const m = new Machine({ defaultDisposition: "catch", pci: "default", ...config });
  const p = m.init;
  const v = m.rdma.verbs;
  const ctxR = v.openDevice(p, dev);
  assert.notEqual(ctxR.ret, 0n, `open: errno ${ctxR.errno}`);
  const ctx = v.lookup(p, ctxR.ret, ["context"]) as VContext;
  const pd = v.lookup(p, v.allocPd(p, ctx).ret, ["pd"]) as VObject;
  const buf = syscall(p, "mmap", [0n, 0x4000n, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0]).ret;
  const mrR = v.regMr(p, pd, buf, 0x4000, IB_ACCESS_LOCAL_WRITE);
  assert.notEqual(mrR.ret, 0n, `reg_mr: errno ${mrR.errno}`);
  const mr = v.lookup(p, mrR.ret, ["mr"]) as VObject;
  const cq = v.lookup(p, v.createCq(p, ctx, 15).ret, ["cq"]) as VObject;
  const qp = v.lookup(p, v.createQp(p, pd, cq, cq).ret, ["qp"]) as VObject;
  return { m, p, v, ctx, pd, mr, cq, qp, buf };
}

/** inject-fault KIND on the VF (0000:03:00.1), mlx5_1's function. */
function lose(m: Machine, kind: string): string[] {
  const r = injectFault(m, kind, "0000:03:00.1");
  if ("error" in r) throw new Error(r.error);
  return r.ok;
}

/** vmstat-like pin count from the frame table. */
function pinned(m: Machine): number {
  let n = 0;
  for (let pfn = 0; pfn < m.frames.nframes; pfn++) n += m.frames.pincount[pfn];
  return n;
}

Deno.test("ibv_open_device maps the context's UAR page: -w-s on the uverbs node, io pf de dd", () => {
  const { m, p, ctx } = setup();
  const line = mapsLines(p).find((l) => l.includes("/dev/infiniband/uverbs1"))!;
  assert.match(line, / -w-s 00000000 00:06 1001 +\/dev\/infiniband\/uverbs1$/);
  const vma = p.mm.vmas.lookup(ctx.uar)!;
  assert.equal(vmFlagsText(vma.flags), "wr sh mr mw me ms pf io de dd ");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("reg_mr pins each page FOLL_PIN; post_send rings the BlueFlame doorbell, post_recv does not", () => {
  const { m, p, v, mr, qp } = setup();
  // 16 KiB MR + 4 KiB CQ + 4 KiB QP buffer.
  assert.equal(pinned(m), 6);
  assert.equal(p.mm.pinnedVm, 6);
  const fn = m.rdma.find("mlx5_1")!.fn;
  assert.equal(v.postSend(p, qp, mr, 64).ret, 0n);
  assert.equal(v.postSend(p, qp, mr, 64).ret, 0n);
  assert.equal(v.postRecv(p, qp, mr, 64).ret, 0n);
  const log = fn.doorbells();
  assert.deepEqual(log.map((d) => d.offset), [0x1800, 0x1900]);
  // The control segment's first 8 bytes, big endian: wqe index << 8 | SEND, qpn << 8 | ds.
  assert.equal(log[0].value, 0x0000000a_00010802n);
  assert.equal(log[1].value, 0x0000010a_00010802n);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("ib_umem_get: EPERM without mlock rights, EOPNOTSUPP for ODP (which goes to ib_umem_odp_get), ENOMEM over the limit", () => {
  const m = new Machine({ root: false, pci: "default" });
  const p = m.init;
  const v = m.rdma.verbs;
  const ctx = v.lookup(p, v.openDevice(p, "mlx5_0").ret, ["context"]) as VContext;
  const pd = v.lookup(p, v.allocPd(p, ctx).ret, ["pd"]) as VObject;
  const buf = syscall(p, "mmap", [0n, 0x10000n, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0]).ret;
  // Default RLIMIT_MEMLOCK (8 MiB) fits 64 KiB.
  assert.notEqual(v.regMr(p, pd, buf, 0x1000, IB_ACCESS_LOCAL_WRITE).ret, 0n);
  // ib_umem_get() refuses ODP (-EOPNOTSUPP); mlx5 sends ON_DEMAND to ib_umem_odp_get instead.
  assert.equal(ibUmemGet(p, MM_PINS, buf, 0x1000, IB_ACCESS_ON_DEMAND), -95);
  assert.notEqual(v.regMr(p, pd, buf, 0x1000, IB_ACCESS_ON_DEMAND).ret, 0n);
  p.mm.rlimits.memlock = 0x2000;
  // Already 1 MR page + CQ + QP pinned: 4 more pages pass the 2-page limit.
  assert.equal(v.regMr(p, pd, buf, 0x4000, IB_ACCESS_LOCAL_WRITE).errno, 12);
  p.mm.rlimits.memlock = 0;
  assert.equal(v.regMr(p, pd, buf, 0x1000, IB_ACCESS_LOCAL_WRITE).errno, EPERM);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("uverbs mmap: EINVAL for MAP_PRIVATE, a wrong size or offset; EINVAL without a context", () => {
  const { p, ctx } = setup();
  const fd = BigInt(ctx.cmdFd);
  assert.equal(syscall(p, "mmap", [0n, 4096n, PROT_WRITE, MAP_PRIVATE, fd, 0n]).ret, -EINVAL);
  assert.equal(syscall(p, "mmap", [0n, 8192n, PROT_WRITE, MAP_SHARED, fd, 0n]).ret, -EINVAL);
  assert.equal(syscall(p, "mmap", [0n, 4096n, PROT_WRITE, MAP_SHARED, fd, 0x1000n]).ret, -EINVAL);
  const fd2 = syscall(p, "open", ["/dev/infiniband/uverbs1", BigInt(O_RDWR)]).ret;
  assert.equal(
    syscall(p, "mmap", [0n, 4096n, PROT_WRITE, MAP_SHARED, BigInt(fd2), 0n]).ret,
    -EINVAL,
  );
});

Deno.test("device loss (5.1+): DEVICE_FATAL, pins released, EIO, dummy page shared by the file's mappings", () => {
  const { m, p, v, ctx, pd, mr, cq, qp } = setup();
  const fd = BigInt(ctx.cmdFd);
  // A second mapping of the same UAR entry, read-only but VM_MAYWRITE (fd is O_RDWR).
  const ro = syscall(p, "mmap", [0n, 4096n, PROT_READ, MAP_SHARED, fd, 0n]).ret;
  const dmesgBefore = m.dmesg.lines.length;
  assert.deepEqual(lose(m, "hot-unplug"), ["0000:03:00.1: surprise removal"]);
  // Only pciehp's two lines: the RDMA side is silent, no WARN, no BUG.
  const added = m.dmesg.lines.slice(dmesgBefore).map((l) => l.text);
  assert.equal(added.length, 2);
  for (const l of added) assert.match(l, /^pcieport [0-9a-f:.]+: pciehp: Slot\(\d+\): /);
  assert.equal(m.pci.find("0000:03:00.1"), undefined, "the function is gone");
  assert.equal(pinned(m), 0);
  assert.equal(p.mm.pinnedVm, 0);
  // The async fd has the event; one read returns it, the next would block.
  const ev = syscall(p, "read", [BigInt(ctx.asyncFd), new Uint8Array(32), 32n]);
  assert.equal(ev.ret, 16);
  assert.deepEqual([...ev.data!.subarray(0, 12)], [0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0]);
  // Commands: EIO, destroys succeed.
  assert.equal(v.allocPd(p, ctx).errno, EIO);
  assert.equal(v.regMr(p, pd, mr.addr, 4096, IB_ACCESS_LOCAL_WRITE).errno, EIO);
  assert.equal(syscall(p, "mmap", [0n, 4096n, PROT_WRITE, MAP_SHARED, fd, 0n]).ret, -EIO);
  assert.equal(syscall(p, "write", [fd, new Uint8Array(16), 16n]).ret, -EIO);
  // The UAR page: post_send still "works" (absorbed by the dummy page).
  assert.equal(v.postSend(p, qp, mr, 64).sig, undefined);
  assert.equal(m.rdma.devices[1].files[0].disassociatePage >= 0, true);
  assert.equal(m.rdma.find("0000:03:00.0")!.fn.doorbells().length, 0);
  // Written through one dead mapping, read through the other.
  assert.equal(cpuWrite(p, ctx.uar + 16, new Uint8Array([0x5a])).sig, undefined);
  const back = cpuRead(p, ro + 16, 1);
  assert.equal(back.sig, undefined);
  assert.equal(back.bytes![0], 0x5a);
  // The read-only one still refuses writes (no VM_WRITE).
  assert.equal(cpuWrite(p, ro, new Uint8Array([1])).sig?.code, SEGV_ACCERR);
  assert.equal(v.destroy(p, qp).ret, 0n);
  assert.equal(v.destroy(p, cq).ret, 0n);
  assert.equal(v.destroy(p, mr).ret, 0n);
  assert.equal(v.destroy(p, pd).ret, 0n);
  assert.deepEqual(checkInvariants(m), []);
  // Closing everything frees the dummy page: no frame leaked.
  syscall(p, "munmap", [ro, 4096n]);
  v.closeDevice(p, ctx);
  assert.deepEqual(checkInvariants(m), []);
  assert.equal(m.rdma.devices[1].files.length, 0);
  // The node is gone; the device is not back.
  assert.equal(syscall(p, "open", ["/dev/infiniband/uverbs1", BigInt(O_RDWR)]).ret, -ENOENT);
});

Deno.test("a read-only uverbs fd cannot map: do_mmap drops VM_SHARED, rdma_user_mmap_io says EINVAL", () => {
  // So rdma_umap_fault's zero-page branch (no VM_WRITE|VM_MAYWRITE) has no
  // VMA to serve: every mapping of a uverbs fd may be written.
  const { p } = setup();
  const fd = syscall(p, "open", ["/dev/infiniband/uverbs1", BigInt(O_RDONLY)]).ret;
  const uf = uverbsFileOfFd(p, fd);
  assert.ok(typeof uf !== "number");
  assert.ok(typeof cmdGetContext(p, uf, false) !== "number");
  assert.equal(syscall(p, "mmap", [0n, 4096n, PROT_READ, MAP_SHARED, BigInt(fd), 0n]).ret, -EINVAL);
});

Deno.test("fork after disassociation: the child's mapping (rdma_umap_open) is SIGBUS at the exact address", () => {
  const { m, p, ctx } = setup();
  lose(m, "hot-unplug");
  const c = m.process(syscall(p, "fork", []).ret)!;
  const w = cpuWrite(c, ctx.uar + 0x804, new Uint8Array([1]));
  assert.equal(w.sig?.signo, SIGBUS);
  assert.equal(w.sig?.code, BUS_ADRERR);
  assert.equal(w.sig?.addr, ctx.uar + 0x804);
  // The parent's own mapping still absorbs writes.
  assert.equal(cpuWrite(p, ctx.uar + 0x804, new Uint8Array([1])).sig, undefined);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("fork before disassociation: the child's copy is zapped too and gets the same dummy page", () => {
  const { m, p, ctx } = setup();
  const c = m.process(syscall(p, "fork", []).ret)!;
  lose(m, "hot-unplug");
  assert.equal(cpuWrite(c, ctx.uar + 8, new Uint8Array([7])).sig, undefined);
  assert.equal(cpuRead(p, ctx.uar + 8, 1).bytes![0], 7);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("policy sigbus: the first touch after loss is SIGBUS BUS_ADRERR", () => {
  const { m, p, v, mr, qp, ctx } = setup({ policies: { "rdma.onDisassociate": "sigbus" } });
  lose(m, "hot-unplug");
  const r = v.postSend(p, qp, mr, 64);
  assert.equal(r.sig?.signo, SIGBUS);
  assert.equal(r.sig?.addr, ctx.uar + 0x800);
});

Deno.test("policy anon-private (4.x): the mapping turns private anonymous, writes get private pages", () => {
  const { m, p, ctx } = setup({ preset: "linux-4.14" });
  lose(m, "hot-unplug");
  const line = mapsLines(p).find((l) => l.includes("uverbs1"))!;
  assert.match(line, / -w-p /);
  assert.equal(cpuWrite(p, ctx.uar, new Uint8Array([3])).sig, undefined);
  assert.equal(cpuRead(p, ctx.uar, 1).bytes![0], 3);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("policy block: removal waits until every file is released, then completes", () => {
  const { m, p, v, ctx } = setup({ policies: { "rdma.onDisassociate": "block" } });
  lose(m, "fatal");
  // Nothing was torn down: mlx5_1 is still registered, its node gone, pins held.
  assert.notEqual(m.rdma.find("mlx5_1"), undefined);
  assert.equal(m.fs.lookup("/dev/infiniband/uverbs1"), undefined);
  assert.equal(pinned(m), 6);
  v.closeDevice(p, ctx);
  // The last file released: the unload finished, the reload registered the function again.
  assert.equal(pinned(m), 0);
  assert.notEqual(m.fs.lookup("/dev/infiniband/uverbs1"), undefined);
  assert.equal(m.rdma.find("mlx5_1")!.fn.bdf, "0000:03:00.1");
  assert.notEqual(v.openDevice(p, "mlx5_1").ret, 0n);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("vf-migrate: the VF goes, a new VF appears as mlx5_1; the PF keeps working", () => {
  const { m, p, v, ctx } = setup();
  const a = v.lookup(p, v.openDevice(p, "mlx5_0").ret, ["context"]) as VContext;
  const r = lose(m, "vf-migrate");
  assert.equal(r.at(-1), "0000:03:00.1: new VF of 0000:03:00.0");
  // The new VF took the freed slot, name and minor: mlx5_1 on uverbs1 again.
  assert.equal(m.rdma.find("mlx5_1")!.fn.bdf, "0000:03:00.1");
  assert.notEqual(m.rdma.find("mlx5_1")!.uverbs, m.rdma.devices[1]);
  assert.notEqual(v.allocPd(p, a).ret, 0n, "the PF still works");
  assert.equal(v.allocPd(p, ctx).errno, EIO, "the old context is dead");
  v.closeDevice(p, ctx);
  const n = v.openDevice(p, "mlx5_1");
  assert.notEqual(n.ret, 0n, "recovery onto the new VF");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("destroy while in use is EBUSY", () => {
  const { p, v, pd } = setup();
  assert.equal(v.destroy(p, pd).ret, BigInt(EBUSY));
});

Deno.test("exit releases everything: no frame leaked, no pin left", () => {
  const { m, p } = setup();
  lose(m, "hot-unplug");
  const uar = mapsLines(p).find((l) => l.includes("uverbs1"))!.split("-")[0];
  cpuWrite(p, BigInt("0x" + uar), new Uint8Array([1]));
  syscall(p, "exit_group", [0n]);
  assert.equal(pinned(m), 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("ib_uverbs_open through an inode found before removal: EIO while torn down, ENXIO after", () => {
  const { m, p, v, ctx } = setup();
  const inode = m.fs.lookup("/dev/infiniband/uverbs1")!;
  const dev = m.rdma.find("mlx5_1")!.uverbs;
  lose(m, "hot-unplug");
  assert.equal(m.fs.lookup("/dev/infiniband/uverbs1"), undefined);
  assert.equal(installFile(p, inode, O_RDWR), -EIO);
  v.closeDevice(p, ctx);
  assert.equal(dev.refcount, 0);
  assert.equal(installFile(p, inode, O_RDWR), -ENXIO);
});

Deno.test("rdma.dummyPageScope: per-file shares one page across mappings; per-vma does not", () => {
  for (const [scope, shared] of [["per-file", true], ["per-vma", false]] as const) {
    const { m, p, ctx } = setup({ policies: { "rdma.dummyPageScope": scope } });
    const b = syscall(p, "mmap", [0n, 4096n, PROT_READ, MAP_SHARED, BigInt(ctx.cmdFd), 0n]).ret;
    lose(m, "hot-unplug");
    cpuWrite(p, ctx.uar + 100, new Uint8Array([9]));
    assert.equal(cpuRead(p, b + 100, 1).bytes![0] === 9, shared, scope);
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("rdma.asyncEventOnLoss none: the async fd stays silent (O_NONBLOCK read: EAGAIN)", () => {
  const { m, p, ctx } = setup({ policies: { "rdma.asyncEventOnLoss": "none" } });
  lose(m, "hot-unplug");
  p.fds[ctx.asyncFd]!.flags |= O_NONBLOCK;
  assert.equal(syscall(p, "read", [BigInt(ctx.asyncFd), new Uint8Array(16), 16n]).ret, -EAGAIN);
});

Deno.test("era presets: block before 4.2, anon-private to 4.20, sigbus in 5.0, zero-page from 5.1", () => {
  for (
    const [preset, want] of [
      ["linux-4.1", "block"],
      ["linux-4.14", "anon-private"],
      ["linux-5.0", "sigbus"],
      ["linux-5.1", "zero-page"],
      ["linux-6.18", "zero-page"],
    ] as const
  ) {
    assert.equal(new Machine({ preset }).policy("rdma.onDisassociate"), want, preset);
  }
});

Deno.test("no frame leaked: a process that used the VF, lost it and exited gives every frame back", () => {
  const m = new Machine({ pci: "default", defaultDisposition: "catch" });
  const base = m.frames.freeCount;
  const p = syscall(m.init, "fork", []).ret;
  const c = m.process(p)!;
  const v = m.rdma.verbs;
  const ctx = v.lookup(c, v.openDevice(c, "mlx5_1").ret, ["context"]) as VContext;
  const pd = v.lookup(c, v.allocPd(c, ctx).ret, ["pd"]) as VObject;
  const buf = syscall(c, "mmap", [0n, 0x4000n, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0]).ret;
  v.regMr(c, pd, buf, 0x4000, IB_ACCESS_LOCAL_WRITE);
  cpuWrite(c, ctx.uar + 0x800, new Uint8Array(8));
  lose(m, "vf-migrate");
  cpuWrite(c, ctx.uar + 0x800, new Uint8Array(8)); // the dummy page
  syscall(c, "exit_group", [0n]);
  assert.deepEqual(checkInvariants(m), []);
  assert.equal(m.frames.freeCount, base);
  assert.equal(m.vmstat.follPinAcquired, m.vmstat.follPinReleased);
});

Deno.test("check notices a broken RDMA state: pinned_vm off, a tracked VMA without its priv", () => {
  const { m, p, ctx } = setup();
  assert.deepEqual(checkInvariants(m), []);
  p.mm.pinnedVm++;
  assert.ok(checkInvariants(m).some((e) => /pinned_vm 7 but its umems hold 6 pages/.test(e)));
  p.mm.pinnedVm--;
  const vma = p.mm.vmas.lookup(ctx.uar)!;
  const priv = vma.priv;
  vma.priv = null;
  assert.ok(checkInvariants(m).some((e) => /lost its rdma_umap_priv/.test(e)));
  vma.priv = priv;
  assert.deepEqual(checkInvariants(m), []);
});
