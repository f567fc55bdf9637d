/**
 * Stub drivers: so that binding, unbinding and `Kernel driver in use:`
 * work before the real drivers exist. A stub has a name and an ID table
 * and nothing else: its probe enables the device and bus mastering
 * (pci_enable_device + pci_set_master, as every real probe begins) and
 * claims the BARs under its name; remove undoes that; after a device
 * fatal error it resets the function (what a driver's reload would end
 * with). No files, no mmap, no DMA.
 *
 * One stub is made per driver name the topology configures (mlx5_core,
 * nvidia, ixgbe, nvme in the default machine), plus `vfio-pci`, whose
 * stub already refuses a PF with SR-IOV VFs enabled as
 * vfio_pci_core_register_device() does. The driver of an SR-IOV PF gets
 * pci_sriov_configure_simple() (sriov_numvfs works). A real driver registering under
 * the same name replaces its stub (DriverCore.register).
 * @module
 */

import { ENOENT } from "../../abi/errno.ts";
import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import {
  pciEnableDevice,
  pciLog,
  pciReleaseRegions,
  pciRequestRegions,
  pciResetFunction,
  pciSetMaster,
} from "../../pci/pci.ts";
import type { PciDeviceId, PciDriver } from "./driver.ts";
import { sriovConfigureSimple } from "./sriov.ts";

/** A stub named `name` binding the IDs in `ids`. */
export function stubDriver(name: string, ids: readonly PciDeviceId[]): PciDriver {
  return {
    name,
    idTable: ids,
    stub: true,
    probe(m: Machine, dev: PciDev): number {
      const r = pciEnableDevice(m.pci, dev);
      if (r !== 0) return r;
      pciSetMaster(dev);
      pciRequestRegions(m.pci, dev, name);
      return 0;
    },
    remove(m: Machine, dev: PciDev) {
      pciReleaseRegions(m.pci, dev, name);
      return undefined;
    },
    onFault(_m: Machine, dev: PciDev, fault) {
      if (fault.kind === "fatal" && dev.state === "frozen") {
        // The stub's recovery: reset, then the saved config state back
        // (pci_restore_state), so COMMAND is as its probe left it.
        const cmd = dev.command;
        pciResetFunction(dev);
        dev.setCommand(cmd);
      }
    },
  };
}

/**
 * vfio-pci's stub: binds only through driver_override (its ID table is
 * empty, as vfio-pci's is without ids=), and refuses a PF with VFs:
 * drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_register_device():
 * `pci_warn(pdev, "Cannot bind to PF with SR-IOV enabled\n"); return -EBUSY;`
 */
export function vfioPciStub(): PciDriver {
  const base = stubDriver("vfio-pci", []);
  return {
    ...base,
    probe(m: Machine, dev: PciDev): number {
      if ((dev.sriov?.numVfs ?? 0) > 0) {
        pciLog(m.pci, dev, "warn", "Cannot bind to PF with SR-IOV enabled");
        return -16;
      }
      // vfio-pci enables the device only when userspace opens it.
      return 0;
    },
    remove() {
      return undefined;
    },
    // drivers/vfio/pci/vfio_pci.c vfio_pci_sriov_configure(): -ENOENT
    // unless the module was loaded with enable_sriov=1 (default off).
    sriovConfigure: () => -ENOENT,
  };
}

/** The stubs for a machine's topology: one per configured driver name, and vfio-pci. */
export function topologyStubs(devices: readonly PciDev[]): PciDriver[] {
  const byName = new Map<string, PciDeviceId[]>();
  for (const d of devices) {
    if (d.nativeDriver === null) continue;
    const ids = byName.get(d.nativeDriver) ?? [];
    if (!ids.some((i) => i.vendor === d.ids.vendor && i.device === d.ids.device)) {
      ids.push({ vendor: d.ids.vendor, device: d.ids.device });
    }
    byName.set(d.nativeDriver, ids);
  }
  // A PF's VFs bind to the same driver: their IDs join its table.
  for (const d of devices) {
    if (d.sriov === null || d.nativeDriver === null) continue;
    const ids = byName.get(d.nativeDriver)!;
    if (!ids.some((i) => i.vendor === d.ids.vendor && i.device === d.sriov!.vfDevice)) {
      ids.push({ vendor: d.ids.vendor, device: d.sriov.vfDevice });
    }
  }
  // A PF's driver configures its VFs from sysfs (sriov_numvfs).
  const pfDrivers = new Set(devices.filter((d) => d.sriov !== null).map((d) => d.nativeDriver));
  const out = [...byName].map(([name, ids]) => {
    const d = stubDriver(name, ids);
    return pfDrivers.has(name) ? { ...d, sriovConfigure: sriovConfigureSimple } : d;
  });
  if (!byName.has("vfio-pci")) out.push(vfioPciStub());
  return out;
}
