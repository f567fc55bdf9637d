/**
 * The PCI bus/driver core (drivers/base/dd.c, drivers/pci/pci-driver.c):
 * a registry of drivers, matching (ID tables and driver_override), probe
 * and remove, and the sysfs operations a user drives binding with:
 * `driver_override`, `drivers/NAME/bind`, `drivers/NAME/unbind`,
 * `drivers_probe`. Drivers live in lib/drivers/NAME/ and register a
 * {@link PciDriver}; lib/drivers/core/stubs.ts gives the native drivers of
 * the default machine as stubs until real ones exist.
 *
 * A driver's remove may have to wait for userspace (vfio-pci waits until
 * the device fd is closed): it returns a {@link RemoveBlocked} and the
 * unbinding task sleeps until `ready()` holds (lib/drivers/core/unbind.ts
 * in the REPL's terms: `<unfinished ...>`).
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import type { WaitQueue } from "../../sched/wait.ts";
import { pciDisableDevice, pciLog } from "../../pci/pci.ts";
import type { InjectedFault } from "./fault.ts";

/** PCI_ANY_ID. */
export const PCI_ANY_ID: number = -1;

/** A pci_device_id entry: vendor/device (PCI_ANY_ID for any), or a class under a mask. */
export interface PciDeviceId {
  /** PCI vendor ID, or PCI_ANY_ID. */
  vendor: number;
  /** PCI device ID, or PCI_ANY_ID. */
  device: number;
  /** The class code to match (under classMask). */
  class?: number;
  /** The bits of the class code that must match. */
  classMask?: number;
}

/** What a driver's remove returns when it must wait (vfio-pci's request loop). */
export interface RemoveBlocked {
  /** Where the unbinding task sleeps, and its wait channel (`vfio_unregister_group_dev`). */
  readonly wq: WaitQueue;
  /** The wait channel /proc/TID/wchan shows. */
  readonly wchan: string;
  /** Whether removal may finish now; the driver wakes `wq` when it may. */
  ready(): boolean;
  /** Called once when removal finishes (the rest of the driver's remove). */
  finish(): void;
  /**
   * The first wait is interruptible (S): a signal ends it, the driver is
   * told (`interrupted`, with the task's comm and pid) and the wait goes
   * on uninterruptibly (D), as vfio_unregister_group_dev() does. Without
   * it the task sleeps in D from the start.
   */
  readonly interruptible?: boolean;
  /** Called when a signal ends the interruptible wait. */
  interrupted?(comm: string, pid: number): void;
}

/** A PCI driver (`struct pci_driver`). */
export interface PciDriver {
  /** The driver name (/sys/bus/pci/drivers/NAME). */
  readonly name: string;
  /** The devices it binds to by ID (an empty table binds only through driver_override). */
  readonly idTable: readonly PciDeviceId[];
  /** A stub: binding works, nothing else (documented in lib/drivers/core/stubs.ts). */
  readonly stub?: boolean;
  /**
   * probe(): 0 to bind, or -errno (-ENODEV/-ENXIO reject the match
   * quietly; any other error is logged by the core as the kernel does).
   * Called with dev.driver already set to this driver (really_probe).
   */
  probe(m: Machine, dev: PciDev): number;
  /** remove(): undefined when done, or how it waits. */
  remove(m: Machine, dev: PciDev): RemoveBlocked | undefined;
  /**
   * inject-fault: the hardware side has happened (lib/drivers/core/fault.ts);
   * the driver reacts as its error handlers would. A driver without this
   * hook leaves the device as the fault left it.
   */
  onFault?(m: Machine, dev: PciDev, fault: InjectedFault): void;
  /**
   * sriov_configure(): enable `n` VFs of the PF (returns how many) or
   * disable them all (n = 0; returns 0), or -errno. Without it,
   * sriov_numvfs is -ENOENT. lib/drivers/core/sriov.ts has the simple one.
   */
  sriovConfigure?(m: Machine, dev: PciDev, n: number): number;
}

/** drivers/pci/pci-driver.c pci_match_id(): the first matching entry, or null. */
export function pciMatchId(ids: readonly PciDeviceId[], dev: PciDev): PciDeviceId | null {
  for (const id of ids) {
    if (id.vendor !== PCI_ANY_ID && id.vendor !== dev.ids.vendor) continue;
    if (id.device !== PCI_ANY_ID && id.device !== dev.ids.device) continue;
    if (id.class !== undefined && ((dev.ids.classCode ^ id.class) & (id.classMask ?? 0xffffff))) {
      continue;
    }
    return id;
  }
  return null;
}

/**
 * drivers/pci/pci-driver.c pci_match_device(): with driver_override set,
 * only the named driver matches (and then even without an ID entry, the
 * "override-only" match); otherwise the ID table decides.
 */
export function pciMatchDevice(drv: PciDriver, dev: PciDev): boolean {
  if (dev.driverOverride !== null) return dev.driverOverride === drv.name;
  return pciMatchId(drv.idTable, dev) !== null;
}

/** The outcome of a sysfs write (a byte count in the kernel; 0 here) or a wait. */
export type BindResult = { ret: number } | { blocked: RemoveBlocked };

/** The driver registry of one machine. */
export class DriverCore {
  /** Registered drivers by name (/sys/bus/pci/drivers). */
  readonly drivers: Map<string, PciDriver> = new Map();

  /** The driver registry of machine `m`, empty. */
  constructor(private readonly m: Machine) {}

  /**
   * pci_register_driver(): adds the driver, then binds it to every
   * unbound present function it matches (driver_attach). A name already
   * registered is replaced only if the old one is a stub and nothing is
   * bound to it (a real driver taking over from its stub).
   */
  register(drv: PciDriver): void {
    const old = this.drivers.get(drv.name);
    if (old !== undefined) {
      const bound = this.m.pci.devices.some((d) => d.driver === old);
      if (!old.stub || bound) throw new Error(`driver ${drv.name} is already registered`);
    }
    this.drivers.set(drv.name, drv);
    for (const d of this.m.pci.present()) {
      if (d.driver === null && !d.isBridge && pciMatchDevice(drv, d)) this.probe(drv, d);
    }
  }

  /** The driver bound to `dev`, as registered (null when none). */
  driverOf(dev: PciDev): PciDriver | null {
    return dev.driver === null ? null : this.drivers.get(dev.driver.name) ?? null;
  }

  /**
   * drivers/base/dd.c really_probe() + call_driver_probe(): sets
   * dev->driver, calls probe; on failure clears it and logs what the
   * kernel logs (`probe with driver X failed with error -N`, nothing for
   * -ENODEV/-ENXIO). Returns 0 or -errno.
   */
  probe(drv: PciDriver, dev: PciDev): number {
    if (dev.state === "removed") return -19;
    if (dev.driver !== null) return -16;
    dev.driver = drv;
    const r = drv.probe(this.m, dev);
    if (r !== 0) {
      if (r !== -19 && r !== -6) {
        pciLog(this.m.pci, dev, "err", `probe with driver ${drv.name} failed with error ${r}`);
      }
      dev.driver = null;
    }
    return r;
  }

  /**
   * /sys/bus/pci/drivers/NAME/bind (bind_store): -ENODEV when the driver
   * does not match the function (driver_override naming another driver
   * included), -EBUSY when a driver is bound, else the probe's result.
   */
  bind(dev: PciDev, name: string): number {
    const drv = this.drivers.get(name);
    if (drv === undefined) return -19;
    if (!pciMatchDevice(drv, dev)) return -19;
    if (dev.driver !== null) return -16;
    return this.probe(drv, dev);
  }

  /**
   * drivers_probe: the first registered driver that matches binds
   * (device_attach); the kernel returns
   * the count written either way: 0 here, dev.driver tells.
   */
  driversProbe(dev: PciDev): number {
    if (dev.driver !== null) return 0;
    for (const drv of this.drivers.values()) {
      if (!pciMatchDevice(drv, dev)) continue;
      if (this.probe(drv, dev) === 0) return 0;
    }
    return 0;
  }

  /**
   * device_release_driver() via /sys/bus/pci/drivers/NAME/unbind: calls the
   * driver's remove; if it waits, returns how (the caller sleeps and then
   * calls {@link finishUnbind}). -ENODEV when no driver is bound.
   */
  unbind(dev: PciDev): BindResult {
    const drv = this.driverOf(dev);
    if (drv === null) return { ret: -19 };
    const b = drv.remove(this.m, dev);
    if (b !== undefined && !b.ready()) return { blocked: b };
    b?.finish();
    this.detach(dev);
    return { ret: 0 };
  }

  /** The end of an unbind that waited: the driver's remove is done. */
  finishUnbind(dev: PciDev, b: RemoveBlocked): void {
    b.finish();
    this.detach(dev);
  }

  /** After remove: pci_device_remove's pci_disable_device and dev->driver = NULL. */
  private detach(dev: PciDev): void {
    if (dev.state !== "removed") pciDisableDevice(dev);
    dev.driver = null;
  }

  /** Boot: every present endpoint probes its configured native driver (when registered). */
  bootProbe(): void {
    for (const d of this.m.pci.present()) {
      if (d.isBridge || d.driver !== null || d.nativeDriver === null) continue;
      const drv = this.drivers.get(d.nativeDriver);
      if (drv !== undefined && pciMatchDevice(drv, d)) this.probe(drv, d);
    }
  }
}
