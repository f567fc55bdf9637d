/**
 * The mlx5 PCI driver (drivers/net/ethernet/mellanox/mlx5/core, with its
 * mlx5_ib auxiliary driver): probe enables the function, claims its BARs
 * and registers an ib_device (mlx5_N, /dev/infiniband/uverbsN); remove
 * unregisters it. Device loss from `inject-fault`:
 *
 * - fatal, aer: the health/error handler unloads (ib_unregister_device),
 *   resets the function and loads again: a new mlx5_N on the same BDF;
 * - hot-unplug, vf-migrate: the core calls remove; the function is gone
 *   (vf-migrate then probes a new VF: a new mlx5_N).
 *
 * ib_unregister_device -> ib_uverbs_remove_one returns at once when the
 * driver can disassociate (policy `rdma.onDisassociate` other than
 * `block`); under `block` it waits until every uverbs file of the device is
 * released, and the unload (and a reload) with it. mlx5 logs its health
 * recovery; mmlab does not model those lines.
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import {
  pciEnableDevice,
  pciReleaseRegions,
  pciRequestRegions,
  pciResetFunction,
  pciSetMaster,
} from "../../pci/pci.ts";
import type { PciDriver, RemoveBlocked } from "../core/driver.ts";
import type { InjectedFault } from "../core/fault.ts";
import { WaitQueue } from "../../sched/wait.ts";
import { pciRdmaFunction } from "./hw.ts";
import type { RdmaSlot } from "./subsystem.ts";
import { sriovConfigureSimple } from "../core/sriov.ts";

/** The wait channel of a removal waiting for uverbs files (wait_for_completion). */
export const WCHAN_UVERBS_REMOVE = "ib_uverbs_remove_one";

const NAME = "mlx5_core";

/** mlx5_core_pci_table: ConnectX-4 to ConnectX-7 PFs and VFs (the ones mmlab's machines have). */
const IDS = [0x1013, 0x1014, 0x1015, 0x1016, 0x1017, 0x1018, 0x1019, 0x101a, 0x101b, 0x101c]
  .map((device) => ({ vendor: 0x15b3, device }));

/** The registered device on `dev`, if any. */
function slotOf(m: Machine, dev: PciDev): RdmaSlot | undefined {
  return m.rdma.slots.find((s) => s?.fn.bdf === dev.bdf);
}

/** mlx5_load_one() up to mlx5_ib's add: the ib_device and its uverbs node. */
function load(m: Machine, dev: PciDev): number {
  const fn = pciRdmaFunction(dev);
  if (fn === null) return -19;
  m.rdma.register(fn);
  return 0;
}

/** mlx5 init_one(): enable, bus master, claim the BARs, load. */
function probe(m: Machine, dev: PciDev): number {
  const r = pciEnableDevice(m.pci, dev);
  if (r !== 0) return r;
  pciSetMaster(dev);
  const q = pciRequestRegions(m.pci, dev, NAME);
  if (q !== 0) return q;
  const l = load(m, dev);
  if (l !== 0) pciReleaseRegions(m.pci, dev, NAME);
  return l;
}

/**
 * remove_one(): unload (the ib_device goes), release the BARs. Under
 * `block` the unload waits for the uverbs files: the removal is a
 * RemoveBlocked until the last one is released.
 */
function remove(m: Machine, dev: PciDev): RemoveBlocked | undefined {
  const slot = slotOf(m, dev);
  if (slot === undefined) {
    pciReleaseRegions(m.pci, dev, NAME);
    return undefined;
  }
  let done = false;
  let sync = true;
  const wq = new WaitQueue(`remove of ${dev.bdf}`);
  const blocked: RemoveBlocked = {
    wq,
    wchan: WCHAN_UVERBS_REMOVE,
    ready: () => done,
    finish: () => pciReleaseRegions(m.pci, dev, NAME),
  };
  const waiting = m.rdma.unregister(slot, () => {
    done = true;
    if (sync) return;
    // A user task sleeping in device-unbind finishes the unbind when woken;
    // a surprise removal has no task: finish it here.
    if (wq.waiters.length > 0) m.sched.wakeAll(wq);
    else {
      m.drivers.finishUnbind(dev, blocked);
      if (dev.state === "removed") m.pci.removeFunction(dev);
    }
  });
  sync = false;
  // Readers DEVICE_FATAL woke finish their reads as the removal returns.
  m.sched.tick();
  if (waiting > 0) return blocked;
  pciReleaseRegions(m.pci, dev, NAME);
  return undefined;
}

/**
 * The error handlers: a device fatal error or an uncorrectable AER error
 * unloads (ib unregister), resets the function and loads it again; under
 * `block` the reload waits until the unload is done.
 */
function onFault(m: Machine, dev: PciDev, fault: InjectedFault): void {
  if (fault.kind !== "fatal" && fault.kind !== "aer") return;
  const slot = slotOf(m, dev);
  const reload = () => {
    pciResetFunction(dev);
    pciEnableDevice(m.pci, dev);
    pciSetMaster(dev);
    load(m, dev);
  };
  if (slot === undefined) {
    reload();
    return;
  }
  m.rdma.unregister(slot, reload);
  m.sched.tick();
}

/** The mlx5_core PCI driver. */
export function mlx5CoreDriver(): PciDriver {
  // drivers/net/ethernet/mellanox/mlx5/core/sriov.c: mlx5_core_sriov_configure
  // enables or disables the VFs through the PCI core, as the simple helper does.
  return { name: NAME, idTable: IDS, probe, remove, onFault, sriovConfigure: sriovConfigureSimple };
}
