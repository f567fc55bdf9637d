/**
 * SR-IOV from sysfs (drivers/pci/iov.c): `sriov_numvfs` asks the PF's
 * driver to enable or disable VFs through its sriov_configure callback;
 * pci_enable_sriov()/pci_disable_sriov() make the VFs appear (with their
 * sysfs files, probed by a matching driver: sriov_drivers_autoprobe) or
 * go (their drivers unbound first).
 * @module
 */

import { EBUSY, EINVAL, ENOENT, ERANGE } from "../../abi/errno.ts";
import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import { pciLog } from "../../pci/pci.ts";
import { addPciSysfs, removePciSysfs } from "./sysfs.ts";

/** pci_enable_sriov(): `n` VFs appear and probe; returns n. Precondition: none enabled. */
export function pciEnableSriov(m: Machine, pf: PciDev, n: number): number {
  for (const vf of m.pci.setNumVfs(pf, n)) {
    addPciSysfs(m.fs, vf, () => m.sysfsIno());
    m.drivers.driversProbe(vf);
  }
  return n;
}

/** pci_disable_sriov(): each VF's driver is unbound, then the VFs leave the bus. */
export function pciDisableSriov(m: Machine, pf: PciDev): void {
  for (const vf of [...pf.vfs]) {
    if (vf.driver !== null) {
      const r = m.drivers.unbind(vf);
      // A VF driver that waits for userspace would block the PF here; mmlab
      // lets it finish at once rather than hang the caller.
      if ("blocked" in r) m.drivers.finishUnbind(vf, r.blocked);
    }
    removePciSysfs(m.fs, vf);
  }
  m.pci.setNumVfs(pf, 0);
}

/** pci_sriov_configure_simple(): what a driver's sriov_configure usually is. */
export function sriovConfigureSimple(m: Machine, pf: PciDev, n: number): number {
  if (n === 0) {
    pciDisableSriov(m, pf);
    return 0;
  }
  return pciEnableSriov(m, pf, n);
}

/** kstrtou16(buf, 0): decimal, 0x hex or 0 octal, one trailing newline allowed. */
function parseU16(text: string): number | null {
  const t = text.endsWith("\n") ? text.slice(0, -1) : text;
  const m = /^(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9][0-9]*))$/i.exec(t);
  if (m === null) return null;
  const v = m[1] !== undefined
    ? parseInt(m[1], 16)
    : m[2] !== undefined
    ? parseInt(m[2], 8)
    : Number(m[3]);
  return v > 0xffff ? null : v;
}

/**
 * sriov_numvfs_store(), in the kernel's order: -EINVAL (not a u16),
 * -ERANGE (above TotalVFs), nothing to do when unchanged, -ENOENT without
 * a driver or without sriov_configure (each logged), 0 disables, -EBUSY
 * when VFs are already enabled (logged), else the driver enables them.
 * Returns the bytes taken or -errno.
 */
export function sriovNumvfsStore(m: Machine, pf: PciDev, text: string): number {
  const s = pf.sriov;
  if (s === null) return -ENOENT;
  const n = parseU16(text);
  if (n === null) return -EINVAL;
  if (n > s.totalVfs) return -ERANGE;
  if (n === s.numVfs) return text.length;
  const drv = m.drivers.driverOf(pf);
  if (drv === null) {
    pciLog(m.pci, pf, "info", "no driver bound to device; cannot configure SR-IOV");
    return -ENOENT;
  }
  if (drv.sriovConfigure === undefined) {
    pciLog(m.pci, pf, "info", "driver does not support SR-IOV configuration via sysfs");
    return -ENOENT;
  }
  if (n === 0) {
    const r = drv.sriovConfigure(m, pf, 0);
    return r < 0 ? r : text.length;
  }
  if (s.numVfs !== 0) {
    pciLog(m.pci, pf, "warn", `${s.numVfs} VFs already enabled. Disable before enabling ${n} VFs`);
    return -EBUSY;
  }
  const r = drv.sriovConfigure(m, pf, n);
  if (r < 0) return r;
  if (r !== n) pciLog(m.pci, pf, "warn", `${n} VFs requested; only ${r} enabled`);
  return text.length;
}
