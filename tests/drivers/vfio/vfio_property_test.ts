/**
 * Random sequences over vfio-pci on the 82599 NIC: BAR mmaps under any
 * vfio.faultImpl, loads and stores, COMMAND writes that clear and set
 * Memory Space, VFIO_DEVICE_RESET, type1 DMA map/unmap, fork and a child's
 * loads, munmap, injected mmio-disable and aer, and at the end either an
 * unbind that waits for the last close or a surprise hot-unplug, then
 * exit: no exception, every invariant after every step (frames, pins,
 * vfio's own), and after exit no pin, no vfio device, no leaked frame.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  encodeStruct,
  injectFault,
  Machine,
  type Process,
  syscall,
  VFIO_DEVICE_RESET,
  VFIO_DMA_MAP,
  VFIO_DMA_UNMAP,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_SET_IOMMU,
  VFIO_TYPE1v2_IOMMU,
} from "../../../mod.ts";
import { KNOBS } from "../../../lib/policy.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";

const RW = PROT_READ | PROT_WRITE;
const BAR_AT = (i: number) => 0x7f0000000000 + i * 0x100000;
const BUF = 0x7f1000000000;
const IMPLS = KNOBS["vfio.faultImpl"].values;

type Op =
  | { k: "mmap"; slot: number; impl: number; pages: number; off: number }
  | { k: "touch"; slot: number; page: number; write: boolean; child: boolean }
  | { k: "memory"; on: boolean }
  | { k: "reset" }
  | { k: "munmap"; slot: number }
  | { k: "fork"; openFirst: boolean }
  | { k: "dma"; page: number; n: number }
  | { k: "undma"; all: boolean }
  | { k: "inject"; kind: "mmio-disable" | "aer" };

const slot = fc.nat({ max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("mmap" as const),
      slot,
      impl: fc.nat({ max: IMPLS.length - 1 }),
      pages: fc.integer({ min: 8, max: 16 }),
      off: fc.nat({ max: 120 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("touch" as const),
      slot,
      page: fc.nat({ max: 7 }),
      write: fc.boolean(),
      child: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ k: fc.constant("memory" as const), on: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("reset" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("munmap" as const), slot }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("fork" as const), openFirst: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant("dma" as const),
      page: fc.nat({ max: 7 }),
      n: fc.integer({ min: 1, max: 4 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant("undma" as const), all: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant("inject" as const),
      kind: fc.constantFrom("mmio-disable" as const, "aer" as const),
    }),
    weight: 1,
  },
);

const lit = (layout: typeof VFIO_DMA_MAP, f: Record<string, bigint>) => ({
  value: 0n,
  literal: encodeStruct(layout, new Map(Object.entries(f))) as Uint8Array,
});

/** What the runs reached, so the test shows it explored (not a vacuous pass). */
const seen = { sigbus: 0, mapped: 0, ones: 0, pinned: 0, waited: 0, childTouch: 0 };

function run(ops: Op[], end: "unbind" | "hot-unplug"): void {
  const m = new Machine({ pci: "default" });
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
  const p = m.init;
  const ioctl = (q: Process, fd: number, cmd: number, arg: unknown = 0n) =>
    syscall(q, "ioctl", [fd, cmd, arg]).ret;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${m.vfio.device(nic)!.group.id}`, O_RDWR]).ret;
  ioctl(p, g, VFIO_GROUP_SET_CONTAINER, { value: 0n, literal: Uint8Array.of(c, 0, 0, 0) });
  ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
  const d = ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, new TextEncoder().encode(nic.bdf));
  assert.ok(d > 0);
  syscall(p, "mmap", [BUF, 8 * 4096, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  const children: Process[] = [];
  let iova = 0;
  for (const o of ops) {
    switch (o.k) {
      case "mmap":
        m.setPolicy("vfio.faultImpl", IMPLS[o.impl]);
        syscall(p, "mmap", [
          BAR_AT(o.slot),
          o.pages * 4096,
          RW,
          MAP_SHARED | MAP_FIXED,
          d,
          BigInt(o.off * 4096),
        ]);
        break;
      case "touch": {
        const who = o.child && children.length > 0 ? children.at(-1)! : p;
        if (!who.alive) break;
        const a = BAR_AT(o.slot) + o.page * 4096 + 0x10;
        const r = o.write ? cpuWrite(who, a, Uint8Array.of(1, 2, 3, 4)) : cpuRead(who, a, 4);
        if (r.sig?.signo === 7) seen.sigbus++;
        else if (r.sig === undefined) {
          seen.mapped++;
          if (!o.write && r.bytes?.every((b) => b === 0xff)) seen.ones++;
        }
        if (who !== p) seen.childTouch++;
        break;
      }
      case "memory":
        syscall(p, "pwrite", [d, Uint8Array.of(o.on ? 3 : 1, 0), 2, 7n << 40n | 4n]);
        break;
      case "reset":
        ioctl(p, d, VFIO_DEVICE_RESET);
        break;
      case "munmap":
        syscall(p, "munmap", [BAR_AT(o.slot), 0x100000]);
        break;
      case "fork": {
        m.setPolicy("fork.openBeforeCopy", o.openFirst ? "true" : "false");
        const pid = syscall(p, "fork", []).ret;
        if (pid > 0) children.push(m.process(pid)!);
        break;
      }
      case "dma":
        ioctl(
          p,
          c,
          VFIO_IOMMU_MAP_DMA,
          lit(VFIO_DMA_MAP, {
            argsz: 32n,
            flags: 3n,
            vaddr: BigInt(BUF + o.page * 4096),
            iova: BigInt(iova),
            size: BigInt(Math.min(o.n, 8 - o.page) * 4096),
          }),
        );
        iova += 0x100000;
        seen.pinned = Math.max(seen.pinned, m.vmstat.follPinAcquired - m.vmstat.follPinReleased);
        break;
      case "undma":
        ioctl(
          p,
          c,
          VFIO_IOMMU_UNMAP_DMA,
          lit(VFIO_DMA_UNMAP, {
            argsz: 24n,
            flags: o.all ? 2n : 0n,
            iova: o.all ? 0n : BigInt(Math.max(0, iova - 0x100000)),
            size: o.all ? 0n : 0x100000n,
          }),
        );
        break;
      case "inject":
        injectFault(m, o.kind, "05:00.0");
        break;
    }
    assert.deepEqual(checkInvariants(m), [], `after ${JSON.stringify(o)}`);
  }
  if (end === "unbind") {
    const r = m.drivers.unbind(nic);
    for (const q of children) if (q.alive) syscall(q, "exit_group", [0]);
    syscall(p, "exit_group", [0]);
    if ("blocked" in r) {
      seen.waited++;
      assert.ok(r.blocked.ready(), "every fd and mapping went with the processes");
      m.drivers.finishUnbind(nic, r.blocked);
    }
    assert.equal(nic.driver, null);
  } else {
    injectFault(m, "hot-unplug", "05:00.0");
    for (const q of children) if (q.alive) syscall(q, "exit_group", [0]);
    syscall(p, "exit_group", [0]);
    assert.ok(!m.pci.devices.includes(nic), "removal finished at the last close");
  }
  assert.equal(m.vfio.devices.size, 0);
  assert.equal(m.vmstat.follPinAcquired, m.vmstat.follPinReleased, "every pin given back");
  assert.deepEqual(checkInvariants(m), []);
}

Deno.test("vfio property: random BAR maps, touches, memory toggles, resets, forks, DMA and faults keep every invariant; nothing leaks", () => {
  fc.assert(
    fc.property(
      fc.array(op, { minLength: 5, maxLength: 30, size: "max" }),
      fc.constantFrom("unbind" as const, "hot-unplug" as const),
      (ops, end) => run(ops, end),
    ),
    { numRuns: 40, seed: 20021 },
  );
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `no run reached ${k}`);
});
