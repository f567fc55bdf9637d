import assert from "node:assert/strict";
import {
  checkInvariants,
  injectFault,
  Machine,
  type PciDev,
  type PciDriver,
  pciMatchDevice,
  vfioPciStub,
  WaitQueue,
} from "../../mod.ts";

const texts = (m: Machine) => m.dmesg.lines.map((l) => l.text);

Deno.test("pci_match_device: driver_override wins over the ID table, both ways", () => {
  const m = new Machine({ pci: "default" });
  const nic = m.pci.find("05:00.0")!;
  const ixgbe = m.drivers.drivers.get("ixgbe")!, vfio = m.drivers.drivers.get("vfio-pci")!;
  assert.ok(pciMatchDevice(ixgbe, nic) && !pciMatchDevice(vfio, nic));
  nic.driverOverride = "vfio-pci";
  assert.ok(!pciMatchDevice(ixgbe, nic) && pciMatchDevice(vfio, nic));
  // bind_store: -ENODEV for a non-matching driver, -EBUSY while bound.
  assert.equal(m.drivers.bind(nic, "ixgbe"), -19);
  assert.equal(m.drivers.bind(nic, "vfio-pci"), -16);
  assert.deepEqual(m.drivers.unbind(nic), { ret: 0 });
  assert.equal(nic.driver, null);
  assert.equal(nic.command & 4, 0, "pci_disable_device cleared BusMaster");
  assert.equal(nic.command & 2, 2, "Memory Space stays enabled");
  assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
  assert.equal(nic.driver!.name, "vfio-pci");
  // Claims went with the old driver.
  assert.ok(!m.iomem.text().some((l) => l.endsWith(": ixgbe")));
});

Deno.test("vfio-pci refuses a PF with SR-IOV VFs enabled, with the kernel's two lines", () => {
  const m = new Machine({ pci: "default" });
  const pf = m.pci.find("03:00.0")!;
  m.drivers.unbind(pf);
  pf.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(pf, "vfio-pci"), -16);
  assert.deepEqual(texts(m), [
    "vfio-pci 0000:03:00.0: Cannot bind to PF with SR-IOV enabled",
    "vfio-pci 0000:03:00.0: probe with driver vfio-pci failed with error -16",
  ]);
  assert.equal(pf.driver, null);
  // With the VFs disabled it binds.
  m.pci.setNumVfs(pf, 0);
  assert.equal(m.drivers.bind(pf, "vfio-pci"), 0);
});

Deno.test("a real driver replaces its stub; a remove that waits blocks unbind until ready", () => {
  const m = new Machine({ pci: "default" });
  // The machine registers the real vfio-pci (lib/drivers/vfio); this test
  // plays a driver of its own under that name, replacing the stub.
  m.drivers.drivers.set("vfio-pci", vfioPciStub());
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  const wq = new WaitQueue("vfio test");
  let released = false, finished = 0;
  const faults: string[] = [];
  const drv: PciDriver = {
    name: "vfio-pci",
    idTable: [],
    probe: () => 0,
    remove: () => ({
      wq,
      wchan: "vfio_unregister_group_dev",
      ready: () => released,
      finish: () => finished++,
    }),
    onFault: (_m: Machine, d: PciDev, f) => faults.push(`${d.slot} ${f.kind}`),
  };
  m.drivers.register(drv);
  assert.equal(nic.driver, drv, "register() binds the unbound functions it matches");
  const r = m.drivers.unbind(nic);
  assert.ok("blocked" in r);
  assert.equal(nic.driver, drv);
  released = true;
  m.drivers.finishUnbind(nic, r.blocked);
  assert.equal(nic.driver, null);
  assert.equal(finished, 1);
  assert.throws(() => m.drivers.register(drv), /already registered/);
  m.drivers.bind(nic, "vfio-pci");
  injectFault(m, "mmio-disable", "05:00.0");
  injectFault(m, "iommu-fault", "05:00.0");
  assert.deepEqual(faults, ["05:00.0 mmio-disable", "05:00.0 iommu-fault"]);
});

Deno.test("inject-fault: hardware side of each kind, and one clear error for bad input", () => {
  const m = new Machine({ pci: "default" });
  assert.deepEqual(injectFault(m, "melt", "03:00.0"), {
    error: "unknown fault kind melt; kinds: fatal, hot-unplug, vf-migrate, mmio-disable, aer, " +
      "iommu-fault, dma-error, oom, hwpoison",
  });
  assert.match((injectFault(m, "fatal", "0a:00.0") as { error: string }).error, /no PCI function/);
  assert.match((injectFault(m, "aer", "02:08.0") as { error: string }).error, /is a bridge/);
  assert.match(
    (injectFault(m, "vf-migrate", "05:00.0") as { error: string }).error,
    /not an SR-IOV VF/,
  );
  // mmio-disable clears COMMAND.MEMORY only.
  const nic = m.pci.find("05:00.0")!;
  injectFault(m, "mmio-disable", "05:00.0");
  assert.equal(nic.command & 7, 5);
  // fatal: frozen; the stub's recovery resets it to present with COMMAND restored.
  const nvme = m.pci.find("06:00.0")!;
  nvme.bars[0]!.store(0, Uint8Array.of(9));
  injectFault(m, "fatal", "06:00.0");
  assert.equal(nvme.state, "present");
  assert.equal(nvme.bars[0]!.regs.size, 0, "reset forgot the writes");
  // aer: the root port logs the source, the device the error, then the link reset recovers it.
  const from = m.dmesg.lines.length;
  injectFault(m, "aer", "04:00.0");
  assert.deepEqual(texts(m).slice(from), [
    "pcieport 0000:00:01.0: AER: Uncorrectable (Fatal) error message received from 0000:04:00.0",
    "nvidia 0000:04:00.0: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction " +
    "Layer, (Receiver ID)",
    "nvidia 0000:04:00.0:   device [10de:20f1] error status/mask=00040000/00000000",
    "nvidia 0000:04:00.0:    [18] MalfTLP                (First)",
    "pcieport 0000:00:01.0: AER: Root Port link has been reset (0)",
    "pcieport 0000:00:01.0: AER: device recovery successful",
  ]);
  assert.equal(m.pci.find("04:00.0")!.state, "present");
  // vf-migrate: the VF goes, a new one appears at the free slot and probes.
  const oldVf = m.pci.find("03:00.1")!;
  const r = injectFault(m, "vf-migrate", "03:00.1");
  assert.ok("ok" in r);
  const newVf = m.pci.find("03:00.1")!;
  assert.notEqual(newVf, oldVf);
  assert.equal(oldVf.state, "removed");
  assert.equal(newVf.driver!.name, "mlx5_core");
  assert.ok(
    texts(m).includes("pci 0000:03:00.1: [15b3:1018] type 00 class 0x020000 PCIe Endpoint"),
  );
  // hot-unplug of the PF: it and its VFs leave the bus and /proc/iomem.
  injectFault(m, "hot-unplug", "03:00.0");
  assert.equal(m.pci.find("03:00.0"), undefined);
  assert.equal(m.pci.find("03:00.1"), undefined);
  assert.ok(!m.iomem.text().some((l) => l.includes("0000:03:00")));
  assert.ok(texts(m).includes("pcieport 0000:02:08.0: pciehp: Slot(8): Card not present"));
  assert.deepEqual(checkInvariants(m), [], "invariants hold through every injected fault");
  // oom: by pid.
  assert.match((injectFault(m, "oom", "77") as { error: string }).error, /no live process 77/);
  assert.ok("ok" in injectFault(m, "oom", "1"));
  assert.ok(!m.init.alive);
});
