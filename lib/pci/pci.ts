/**
 * The kernel's PCI helpers a driver calls (drivers/pci/pci.c, setup-res.c,
 * iov.c), over the hardware model: enable/disable, bus mastering, region
 * requests shown in /proc/iomem, a function reset, BAR pfns, and the
 * dev_printk prefix (`mlx5_core 0000:03:00.0: ...`, `pci 0000:03:00.0: ...`
 * when no driver is bound).
 * @module
 */

import type { LogLevel } from "../dmesg.ts";
import type { Resource } from "../phys/iomem.ts";
import type { PciDev } from "./device.ts";
import { PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY } from "./regs.ts";
import type { PciTopology } from "./topology.ts";

/** dev_printk(): `<driver or bus> <bdf>: <text>`. */
export function pciLog(t: PciTopology, dev: PciDev, level: LogLevel, text: string): void {
  t.env.dmesg.log(level, `${dev.driver?.name ?? "pci"} ${dev.bdf}: ${text}`);
}

/**
 * pci_enable_device(): sets IO/MEMORY for the BAR kinds the function has
 * (pci_enable_resources), logging `enabling device (OLD -> NEW)` when the
 * COMMAND register changes, as the kernel does at info level. A VF has no
 * MEMORY bit to set. Returns 0, or -ENODEV (19) for a removed function.
 */
export function pciEnableDevice(t: PciTopology, dev: PciDev): number {
  if (dev.state === "removed") return -19;
  let want = dev.command;
  if (dev.bars.some((b) => b?.isMem)) want |= PCI_COMMAND_MEMORY;
  if (dev.bars.some((b) => b?.kind === "io")) want |= PCI_COMMAND_IO;
  const old = dev.command;
  dev.setCommand(want);
  if (dev.command !== old) {
    const h = (n: number) => n.toString(16).padStart(4, "0");
    pciLog(t, dev, "info", `enabling device (${h(old)} -> ${h(dev.command)})`);
  }
  return 0;
}

/** pci_set_master(): COMMAND.MASTER on (logged at debug level only, so silent). */
export function pciSetMaster(dev: PciDev): void {
  dev.setCommand(dev.command | PCI_COMMAND_MASTER);
}

/**
 * pci_disable_device() -> do_pci_disable_device(): clears MASTER only;
 * x86's pcibios_disable_device leaves MEMORY and IO as they are.
 */
export function pciDisableDevice(dev: PciDev): void {
  dev.setCommand(dev.command & ~PCI_COMMAND_MASTER);
}

/**
 * pci_request_selected_regions(): claims the memory BARs in `mask` for
 * `name` (a child range under each BAR in /proc/iomem). Returns 0, or
 * -EBUSY (16) when one is already claimed.
 */
export function pciRequestRegions(t: PciTopology, dev: PciDev, name: string, mask = 0x3f): number {
  const mine: Resource[] = [];
  for (const b of dev.bars) {
    if (b === null || b.res === null || !(mask & (1 << b.index))) continue;
    const r = t.env.iomem.request(b.res, name, b.res.start, b.res.size);
    if (typeof r === "number") {
      for (const x of mine) t.env.iomem.release(x);
      return -16;
    }
    // The claim is the same registers: it answers as the BAR does.
    r.mmio = b.res.mmio;
    mine.push(r);
  }
  return 0;
}

/** pci_release_selected_regions(): drops the claims named `name` on the BARs in `mask`. */
export function pciReleaseRegions(t: PciTopology, dev: PciDev, name: string, mask = 0x3f): void {
  for (const b of dev.bars) {
    if (b === null || b.res === null || !(mask & (1 << b.index))) continue;
    for (const c of [...b.res.children]) if (c.name === name) t.env.iomem.release(c);
  }
}

/**
 * The first pfn of memory BAR `index` and its page count (what a driver
 * hands remap_pfn_range/vmf_insert_pfn: pci_resource_start() >> PAGE_SHIFT),
 * or null for a missing or I/O BAR.
 */
export function barPfn(dev: PciDev, index: number): { pfn: number; pages: number } | null {
  const b = dev.bars[index];
  if (b === null || b === undefined || !b.isMem || b.res === null) return null;
  return { pfn: b.addr / 4096, pages: Math.ceil(b.size / 4096) };
}

/**
 * A function-level reset (pcie_flr): registers back to their reset
 * values (the register model forgets every write), COMMAND cleared, a
 * frozen function present again. The doorbell log is history and stays.
 */
export function pciResetFunction(dev: PciDev): void {
  for (const b of dev.bars) b?.regs.clear();
  dev.setCommand(0);
  if (dev.state === "frozen") dev.state = "present";
}
