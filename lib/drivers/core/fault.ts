/**
 * `inject-fault KIND TARGET`: the hardware side of each fault, then the
 * bound driver's hook (PciDriver.onFault) so the driver reacts as its
 * error handlers would. What the kernel logs for the hardware event is
 * logged here with its text; the driver's own lines are the driver's.
 *
 * | kind         | target | hardware side                                         |
 * |--------------|--------|-------------------------------------------------------|
 * | fatal        | BDF    | device internal error: frozen (MMIO unclaimed) until a reset |
 * | hot-unplug   | BDF    | surprise removal of the function (a PF's VFs with it); the driver's remove runs |
 * | vf-migrate   | VF BDF | that VF is removed (VM migration), a new VF of the same PF appears and probes |
 * | mmio-disable | BDF    | COMMAND.MEMORY cleared (as `setpci COMMAND=...` would)  |
 * | aer          | BDF    | uncorrectable fatal AER: frozen, the hook, then the AER core's link reset |
 * | iommu-fault  | BDF    | the IOMMU refuses a DMA write to IOVA 0: fault record + DMAR line |
 * | dma-error    | BDF    | the function's next DMA op completes with status `error` |
 * | oom          | PID    | the OOM killer kills the process                       |
 * | hwpoison     | PFN    | an uncorrectable memory error: memory_failure() (lib/mm/memory_failure.ts) |
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import { PCI_COMMAND_MEMORY } from "../../pci/regs.ts";
import { pciResetFunction } from "../../pci/pci.ts";
import { oomKill } from "../../proc/exit.ts";
import { memoryFailure } from "../../mm/memory_failure.ts";
import type { KnobValue } from "../../policy.ts";
import { addPciSysfs, removePciSysfs } from "./sysfs.ts";

/** The kinds `inject-fault` knows, in help order. */
export const FAULT_KINDS = [
  "fatal",
  "hot-unplug",
  "vf-migrate",
  "mmio-disable",
  "aer",
  "iommu-fault",
  "dma-error",
  "oom",
  "hwpoison",
] as const;

/** One of {@link FAULT_KINDS}: the fault a driver can be told of. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a driver's onFault hook is told. */
export interface InjectedFault {
  /** Which fault was injected. */
  kind: FaultKind;
  /** vf-migrate: the VF that replaced the removed one, if one could appear. */
  newVf?: PciDev;
  /** iommu-fault: the IOVA the DMA remapping unit refused. */
  iova?: number;
}

/** The result: what happened, in one line each, or an error line. */
export type InjectResult = { ok: string[] } | { error: string };

/** Runs `inject-fault KIND TARGET` on machine `m`. */
export function injectFault(m: Machine, kind: string, target: string): InjectResult {
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    return { error: `unknown fault kind ${kind}; kinds: ${FAULT_KINDS.join(", ")}` };
  }
  const k = kind as FaultKind;
  if (k === "oom") {
    const pid = Number(target);
    const p = /^\d+$/.test(target) ? m.process(pid) : undefined;
    if (p === undefined || !p.alive) return { error: `oom: no live process ${target}` };
    oomKill(p);
    return { ok: [`process ${pid} (${p.comm}) killed by the OOM killer`] };
  }
  if (k === "hwpoison") return injectHwpoison(m, target);
  const dev = m.pci.find(target);
  if (dev === undefined) {
    return { error: `${kind}: no PCI function ${target} (lspci lists them)` };
  }
  if (dev.isBridge || dev === m.pci.hostBridge) {
    return { error: `${kind}: ${dev.bdf} is a bridge; faults target endpoint functions` };
  }
  const tell = (d: PciDev, f: InjectedFault) => m.drivers.driverOf(d)?.onFault?.(m, d, f);
  switch (k) {
    case "fatal":
      dev.state = "frozen";
      tell(dev, { kind: k });
      return { ok: [`${dev.bdf}: device fatal error (${dev.state} now)`] };
    case "aer": {
      // A Malformed TLP reported by the device as receiver: fatal, the
      // link is down until the AER core resets it.
      dev.state = "frozen";
      const rp = rootPort(dev);
      const who = `${dev.driver?.name ?? "pci"} ${dev.bdf}`;
      // drivers/pci/pcie/aer.c aer_print_port_info (pci_info, "AER: " prefix),
      // aer_print_error / __aer_print_error (dev_printk: no prefix).
      m.dmesg.log(
        "err",
        `pcieport ${rp.bdf}: AER: Uncorrectable (Fatal) error message received from ${dev.bdf}`,
      );
      m.dmesg.log(
        "err",
        `${who}: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction Layer, ` +
          `(Receiver ID)`,
      );
      m.dmesg.log(
        "err",
        `${who}:   device [${hex4(dev.ids.vendor)}:${hex4(dev.ids.device)}] error ` +
          `status/mask=00040000/00000000`,
      );
      m.dmesg.log("err", `${who}:    [18] ${"MalfTLP".padEnd(22)} (First)`);
      // drivers/pci/pcie/err.c pcie_do_recovery: error_detected (the hook),
      // the link reset (aer_root_reset), then resume with the config restored.
      tell(dev, { kind: k });
      const cmd = dev.command;
      pciResetFunction(dev);
      dev.setCommand(cmd);
      m.dmesg.log("info", `pcieport ${rp.bdf}: AER: Root Port link has been reset (0)`);
      m.dmesg.log("info", `pcieport ${rp.bdf}: AER: device recovery successful`);
      return { ok: [`${dev.bdf}: uncorrectable fatal AER error, recovered by a link reset`] };
    }
    case "mmio-disable":
      dev.setCommand(dev.command & ~PCI_COMMAND_MEMORY);
      tell(dev, { kind: k });
      return { ok: [`${dev.bdf}: COMMAND.MEMORY cleared (Mem-)`] };
    case "hot-unplug": {
      const gone = [...dev.vfs, dev];
      for (const d of gone) d.state = "removed";
      for (const d of gone) tell(d, { kind: k });
      // pciehp: the slot's link goes down and the card is gone.
      const port = dev.upstream;
      if (port !== null) {
        m.dmesg.log("info", `pcieport ${port.bdf}: pciehp: Slot(${port.dev}): Link Down`);
        m.dmesg.log("info", `pcieport ${port.bdf}: pciehp: Slot(${port.dev}): Card not present`);
      }
      const out: string[] = [];
      for (const d of gone) {
        const drv = m.drivers.driverOf(d);
        if (drv !== null) {
          const r = m.drivers.unbind(d);
          if ("blocked" in r) out.push(`${d.bdf}: ${drv.name} remove waits (${r.blocked.wchan})`);
        }
        if (d.driver === null) {
          m.pci.removeFunction(d);
          removePciSysfs(m.fs, d);
        }
      }
      if (dev.physfn !== null) {
        const i = dev.physfn.vfs.indexOf(dev);
        if (i >= 0) dev.physfn.vfs.splice(i, 1);
      }
      return { ok: [`${dev.bdf}: surprise removal`, ...out] };
    }
    case "vf-migrate": {
      const pf = dev.physfn;
      if (pf === null) return { error: `vf-migrate: ${dev.bdf} is not an SR-IOV VF` };
      const r = injectFault(m, "hot-unplug", dev.bdf);
      if ("error" in r) return r;
      const fresh = m.pci.addVf(pf);
      if (fresh === null) return { ok: [...r.ok, `${pf.bdf}: no free VF slot for a new VF`] };
      m.dmesg.log(
        "info",
        `pci ${fresh.bdf}: [${hex4(fresh.ids.vendor)}:${hex4(fresh.ids.device)}] type 00 class ` +
          `0x${fresh.ids.classCode.toString(16).padStart(6, "0")} PCIe Endpoint`,
      );
      addPciSysfs(m.fs, fresh, () => m.sysfsIno());
      m.drivers.driversProbe(fresh);
      tell(pf, { kind: k, newVf: fresh });
      return { ok: [...r.ok, `${fresh.bdf}: new VF of ${pf.bdf}`] };
    }
    case "iommu-fault": {
      // A stray DMA write to IOVA 0 (a NULL dma_addr_t, the classic bug),
      // refused by the DMA remapping unit.
      if (!m.pci.iommu.enabled) return { error: "iommu-fault: iommu.enabled is off" };
      const f = m.pci.iommu.fault(dev, 0, true);
      tell(dev, { kind: k, iova: f.iova });
      return { ok: [`${dev.bdf}: DMA write to IOVA 0x0 refused by the IOMMU`] };
    }
    case "dma-error":
      m.pci.dma(dev).errorNext = true;
      tell(dev, { kind: k });
      return { ok: [`${dev.bdf}: its next DMA op completes with an error`] };
  }
}

/** Policy `config.MEMORY_FAILURE`: whether the kernel handles memory errors. */
const MEMORY_FAILURE: Record<KnobValue<"config.MEMORY_FAILURE">, boolean> = { n: false, y: true };

/**
 * `inject-fault hwpoison PFN` (hex with 0x, or decimal): what the
 * machine-check handler reports for an action-optional error
 * (mce_notify_irq -> memory_failure(pfn, 0)), as
 * /sys/kernel/debug/hwpoison/corrupt-pfn injects it. Needs
 * config.MEMORY_FAILURE=y.
 */
function injectHwpoison(m: Machine, target: string): InjectResult {
  if (!MEMORY_FAILURE[m.policy("config.MEMORY_FAILURE")]) {
    return {
      error: "hwpoison: the kernel has no CONFIG_MEMORY_FAILURE (policy config.MEMORY_FAILURE=y)",
    };
  }
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(target)) {
    return { error: `hwpoison: ${target} is not a page frame number (0x40000 or 262144)` };
  }
  const pfn = Number(target);
  const r = memoryFailure(m, pfn);
  if (r.ret < 0) return { ok: [`pfn 0x${pfn.toString(16)}: memory_failure() = ${r.ret}`] };
  return { ok: [`pfn 0x${pfn.toString(16)}: ${r.type}: ${r.result}`] };
}

function rootPort(d: PciDev): PciDev {
  let p = d;
  while (p.upstream !== null) p = p.upstream;
  return p;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
