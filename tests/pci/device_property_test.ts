/**
 * Random sequences of device operations (bind, unbind, injected faults,
 * DMA, IOMMU mappings, BAR mmaps from sysfs, CPU stores to them, fork,
 * munmap, time passing), with every machine invariant checked after each
 * step (lib/check/invariants.ts with lib/check/devices.ts): the bus, BARs,
 * drivers, IOMMU and DMA queues stay consistent, and no frame is leaked or
 * freed while mapped.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  FAULT_KINDS,
  injectFault,
  IOMMU_READ,
  IOMMU_WRITE,
  Machine,
  type Process,
  sriovNumvfsStore,
  syscall,
} from "../../mod.ts";

const SLOTS = ["03:00.0", "03:00.1", "03:00.2", "04:00.0", "05:00.0", "06:00.0"];
const DRIVERS = ["mlx5_core", "nvidia", "ixgbe", "nvme", "vfio-pci"];

type Op =
  | { k: "bind"; slot: number; drv: number }
  | { k: "unbind"; slot: number }
  | { k: "fault"; kind: number; slot: number }
  | { k: "dma"; slot: number; write: boolean; page: number; iova: boolean }
  | { k: "map"; slot: number; page: number; iovaPage: number; prot: number }
  | { k: "unmap"; slot: number; iovaPage: number }
  | { k: "mmapBar"; slot: number }
  | { k: "store"; i: number; off: number }
  | { k: "fork" }
  | { k: "munmap"; i: number }
  | { k: "time"; us: number }
  | { k: "numvfs"; n: number };

const slot = fc.integer({ min: 0, max: SLOTS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("bind" as const), slot, drv: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ k: fc.constant("unbind" as const), slot }),
  fc.record({
    k: fc.constant("fault" as const),
    kind: fc.integer({ min: 0, max: FAULT_KINDS.length - 2 }), // not oom
    slot,
  }),
  fc.record({
    k: fc.constant("dma" as const),
    slot,
    write: fc.boolean(),
    page: fc.integer({ min: 0, max: 7 }),
    iova: fc.boolean(),
  }),
  fc.record({
    k: fc.constant("map" as const),
    slot,
    page: fc.integer({ min: 0, max: 7 }),
    iovaPage: fc.integer({ min: 0, max: 7 }),
    prot: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ k: fc.constant("unmap" as const), slot, iovaPage: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant("mmapBar" as const), slot }),
  fc.record({
    k: fc.constant("store" as const),
    i: fc.nat(),
    off: fc.integer({ min: 0, max: 4095 }),
  }),
  fc.constant({ k: "fork" as const }),
  fc.record({ k: fc.constant("munmap" as const), i: fc.nat() }),
  fc.record({ k: fc.constant("time" as const), us: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ k: fc.constant("numvfs" as const), n: fc.integer({ min: 0, max: 4 }) }),
);

function run(ops: Op[]): void {
  const m = new Machine({ pci: "default", ramBytes: 64 << 20 });
  const p: Process = m.init;
  // Eight pinned-by-mapping pages the device may target (kept mapped: the
  // property is about the device side, not about lost pins).
  const buf = syscall(p, "mmap", [0, 8 * 4096, 3, 0x22, -1, 0]).ret;
  for (let i = 0; i < 8; i++) cpuWrite(p, buf + i * 4096, Uint8Array.of(i + 1));
  const pfnOf = (i: number) => p.mm.pt.pfnAt(buf / 4096 + i);
  const bars: number[] = [];
  for (const o of ops) {
    const dev = m.pci.find(SLOTS[(o as { slot?: number }).slot ?? 0]);
    switch (o.k) {
      case "bind":
        if (dev !== undefined && !dev.isBridge) {
          dev.driverOverride = DRIVERS[o.drv];
          if (dev.driver !== null) m.drivers.unbind(dev);
          if (dev.driver === null) m.drivers.bind(dev, DRIVERS[o.drv]);
        }
        break;
      case "unbind":
        if (dev?.driver) m.drivers.unbind(dev);
        break;
      case "fault":
        injectFault(m, FAULT_KINDS[o.kind], SLOTS[o.slot]);
        break;
      case "dma":
        if (dev !== undefined) {
          const addr = o.iova ? o.page * 4096 : pfnOf(o.page) * 4096;
          m.pci.dma(dev).submit(
            o.write ? "write" : "read",
            addr + 8,
            16,
            new Uint8Array(16).fill(7),
          );
        }
        break;
      case "map": {
        if (dev === undefined) break;
        let dom = m.pci.iommu.domainOf(dev);
        if (dom === null) {
          dom = m.pci.iommu.allocDomain();
          m.pci.iommu.attach(dev, dom);
        }
        dom.map(o.iovaPage * 4096, pfnOf(o.page), 4096, o.prot & (IOMMU_READ | IOMMU_WRITE));
        break;
      }
      case "unmap":
        if (dev !== undefined) m.pci.iommu.domainOf(dev)?.unmap(o.iovaPage * 4096, 4096);
        break;
      case "mmapBar": {
        const fd =
          syscall(p, "open", [`/sys/bus/pci/devices/0000:${SLOTS[o.slot]}/resource0`, 2]).ret;
        if (fd < 0) break;
        const a = syscall(p, "mmap", [0, 4096, 3, 1, fd, 0]).ret;
        syscall(p, "close", [fd]);
        if (a > 0) bars.push(a);
        break;
      }
      case "store":
        if (bars.length > 0) {
          const a = bars[o.i % bars.length] + (o.off & ~3);
          cpuWrite(p, a, Uint8Array.of(1, 2, 3, 4));
          cpuRead(p, a, 4);
        }
        break;
      case "fork":
        syscall(p, "fork", []);
        break;
      case "munmap":
        if (bars.length > 0) syscall(p, "munmap", [bars.splice(o.i % bars.length, 1)[0], 4096]);
        break;
      case "time":
        m.sched.advanceTo(m.clock.ns + o.us * 1000);
        break;
      case "numvfs": {
        const pf = m.pci.find("03:00.0");
        if (pf !== undefined) sriovNumvfsStore(m, pf, `${o.n}`);
        break;
      }
    }
    const errs = checkInvariants(m);
    assert.deepEqual(errs, [], `after ${JSON.stringify(o)}`);
  }
}

Deno.test("property: device operations keep every invariant", () => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), run), {
    numRuns: 150,
    seed: 10,
  });
});
