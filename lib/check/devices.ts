/**
 * Invariants of the PCI hardware and the driver core (item 9 of
 * lib/check/invariants.ts), checked from scratch:
 *
 * - Bus: every function on the bus is found by its BDF, once; a bridge's
 *   secondary <= subordinate and the functions below it sit on buses in
 *   that range; a removed function is off the bus unless its driver's
 *   remove is still waiting.
 * - BARs: a memory BAR of a present function is in /proc/iomem at its
 *   address with its size, naturally aligned, inside every bridge window
 *   above it, with a register model; its BAR register holds the address.
 * - SR-IOV: a PF's VFs name it as their PF and are on the bus, and every
 *   VF on the bus is listed by its PF; no more VFs than TotalVFs.
 * - Drivers: a bound driver is the one registered under its name.
 * - IOMMU: a domain's functions are attached to it and no other; an IOVA
 *   page maps either a RAM frame that is in use (a free frame mapped for
 *   DMA is a use-after-free waiting for the device) or device memory in
 *   /proc/iomem.
 * - DMA engines: pending ops in submission order with non-decreasing due
 *   times.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { PciDev } from "../pci/device.ts";

const hex = (n: number) => "0x" + n.toString(16);

/** Appends what is wrong with the machine's devices to `errs`. */
export function checkDevices(m: Machine, errs: string[]): void {
  const t = m.pci;
  const seen = new Set<string>();
  for (const d of t.devices) {
    const where = d.bdf;
    // A removed function stays listed only while its driver's remove waits.
    if (d.state === "removed") {
      if (d.driver === null) errs.push(`${where}: removed but still on the bus`);
      continue;
    }
    if (seen.has(d.bdf)) errs.push(`${where}: two functions with one BDF`);
    seen.add(d.bdf);
    if (t.find(d.bdf) !== d) errs.push(`${where}: not found by its BDF`);
    if (d.isBridge) {
      if (d.secondary > d.subordinate) errs.push(`${where}: secondary above subordinate`);
      for (const c of d.children) {
        if (c.bus < d.secondary || c.bus > d.subordinate) {
          errs.push(`${c.bdf}: on bus ${c.bus} outside ${where}'s ${d.secondary}-${d.subordinate}`);
        }
      }
      if (d.driver !== null) errs.push(`${where}: a bridge with a driver object`);
    }
    checkBars(m, d, errs);
    if (d.sriov !== null) {
      if (d.vfs.length > d.sriov.totalVfs) errs.push(`${where}: more VFs than TotalVFs`);
      for (const vf of d.vfs) {
        if (vf.physfn !== d) errs.push(`${vf.bdf}: listed by ${where} but names another PF`);
        if (vf.state === "removed" || !t.devices.includes(vf)) {
          errs.push(`${vf.bdf}: listed by ${where} but no longer on the bus`);
        }
      }
    }
    if (d.physfn !== null && !d.physfn.vfs.includes(d)) {
      errs.push(`${where}: a VF its PF ${d.physfn.bdf} does not list`);
    }
    if (d.driver !== null && m.drivers.drivers.get(d.driver.name) !== d.driver) {
      errs.push(`${where}: bound to a driver ${d.driver.name} that is not registered`);
    }
  }
  checkIommu(m, errs);
  for (const e of t.dmaEngines()) {
    for (let i = 1; i < e.pending.length; i++) {
      const a = e.pending[i - 1], b = e.pending[i];
      if (a.id >= b.id || a.due > b.due) {
        errs.push(`${e.dev.bdf}: DMA ops #${a.id} and #${b.id} out of order`);
      }
    }
  }
}

function checkBars(m: Machine, d: PciDev, errs: string[]): void {
  for (const b of d.bars) {
    if (b === null || !b.isMem || b.res === null) continue;
    const where = `${d.bdf} BAR${b.index}`;
    const r = b.res;
    if (r.parent === null) errs.push(`${where}: its range is not in /proc/iomem`);
    if (r.start !== b.addr || r.size !== b.size) {
      errs.push(
        `${where}: iomem ${hex(r.start)}+${hex(r.size)} but BAR ${hex(b.addr)}+${hex(b.size)}`,
      );
    }
    if (b.addr % b.size !== 0) errs.push(`${where}: ${hex(b.addr)} not aligned to its size`);
    if (r.mmio === null) errs.push(`${where}: no register model behind it`);
    const lo = d.configRead(0x10 + 4 * b.index, 4);
    const hi = b.kind === "mem64" ? d.configRead(0x14 + 4 * b.index, 4) : 0;
    if (hi * 2 ** 32 + (lo - (lo % 16)) !== b.addr) {
      errs.push(`${where}: the BAR register does not hold ${hex(b.addr)}`);
    }
    for (let up = d.upstream; up !== null; up = up.upstream) {
      const w = up.window;
      if (w === null || b.addr < w.start || b.addr + b.size - 1 > w.end) {
        errs.push(`${where}: outside the window of bridge ${up.bdf}`);
      }
    }
  }
  void m;
}

function checkIommu(m: Machine, errs: string[]): void {
  const io = m.pci.iommu;
  for (const dom of io.domains) {
    for (const dev of dom.devices) {
      if (io.domainOf(dev) !== dom) {
        errs.push(`IOMMU domain ${dom.id}: ${dev.bdf} not attached to it`);
      }
    }
    let n = 0;
    for (const [page, pte] of dom.ptes) {
      if (++n > 100_000) break;
      const iova = hex(page * 4096);
      if (pte.pfn < m.frames.nframes) {
        if (m.frames.isFree(pte.pfn)) {
          errs.push(`IOMMU domain ${dom.id}: IOVA ${iova} maps free frame ${hex(pte.pfn)}`);
        }
      } else if (m.iomem.lookup(pte.pfn * 4096) === null) {
        errs.push(
          `IOMMU domain ${dom.id}: IOVA ${iova} maps pfn ${hex(pte.pfn)}, in no iomem range`,
        );
      }
      if (errs.length > 50) return;
    }
  }
}
