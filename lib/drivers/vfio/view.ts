/**
 * What vfio holds on a machine, as text for the REPL's `vfio` view: each
 * device bound to vfio-pci with its group node, open fds, the memory
 * enable vfio tests (vconfig) beside the physical COMMAND bit, the faults
 * its BAR mappings took, zaps, pins held by its container, and a removal
 * in progress. `faults` lists every fault: the address, the order mapped
 * (0 a page, 9 a PMD, 18 a PUD), the PTEs it filled and the result. No
 * kernel file shows this; it stands in for the tracepoints and the
 * dyndbg line (`vfio_pci_mmap_huge_fault(,order = N) ...`) a person would
 * enable.
 * @module
 */

import { PCI_COMMAND_MEMORY } from "../../pci/regs.ts";
import { VM_FAULT_SIGBUS } from "../../mm/vm_ops.ts";
import { type VfioVmaPriv, vmaToPfn } from "./mmap.ts";
import type { Vfio } from "./pci_core.ts";

const hex = (n: number) => n.toString(16);

function pad(rows: string[][]): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join("  "));
}

/** One line a device bound to vfio-pci (a header first); a note when none is. */
export function vfioStatusLines(vfio: Vfio): string[] {
  if (vfio.devices.size === 0) {
    return ["(no device is bound to vfio-pci: device-bind BDF vfio-pci)"];
  }
  const rows = [[
    "DEVICE",
    "GROUP",
    "OPEN",
    "MEMORY",
    "PHYS",
    "FAULTS",
    "ZAPS",
    "PINNED",
    "REMOVAL",
  ]];
  for (const v of vfio.devices.values()) {
    const c = v.group.container;
    const rm = v.removal;
    rows.push([
      v.pdev.bdf,
      v.group.inode.path,
      String(v.openCount),
      v.memoryEnabled() ? "on" : "off",
      v.pdev.command & PCI_COMMAND_MEMORY ? "Mem+" : "Mem-",
      String(v.faults.length),
      `${v.zaps} (${v.zappedPtes} PTEs)`,
      String(c?.iommu?.pinnedPages ?? 0),
      rm === null ? "-" : `waiting, ${rm.count} request${rm.count === 1 ? "" : "s"}`,
    ]);
  }
  return pad(rows);
}

/** Every BAR mapping of each device, and the faults taken in it. */
export function vfioFaultLines(vfio: Vfio): string[] {
  const out: string[] = [];
  for (const v of vfio.devices.values()) {
    out.push(`${v.pdev.bdf}:`);
    for (const vma of v.inode.mappings) {
      const p = vma.priv as VfioVmaPriv;
      const pid = [...v.m.procs.values()].find((q) => q.alive && q.mm === vma.mm)?.pid ?? 0;
      out.push(
        `  map   ${hex(vma.start)}-${hex(vma.end)} BAR${p.bar} pfn 0x${hex(vmaToPfn(vma))} ` +
          `${p.impl} (pid ${pid})`,
      );
      for (const f of v.faults) {
        if (f.addr < vma.start || f.addr >= vma.end) continue;
        const what = f.ret === VM_FAULT_SIGBUS
          ? "VM_FAULT_SIGBUS"
          : `order ${f.order}, ${f.ptes} PTE${f.ptes === 1 ? "" : "s"}, VM_FAULT_NOPAGE`;
        out.push(`  fault ${hex(f.addr)} ${what}`);
      }
    }
    if (v.reinserted > 0) out.push(`  re-inserted on enable: ${v.reinserted} PTEs`);
  }
  return out.length > 0 ? out : ["(no device is bound to vfio-pci)"];
}

/** The newest `n` register writes each device bound to vfio-pci received (its doorbell log). */
export function vfioDoorbellLines(vfio: Vfio, n = 8): string[] {
  const out: string[] = [];
  for (const v of vfio.devices.values()) {
    out.push(
      `${v.pdev.bdf}: ${v.pdev.doorbellWrites} write${v.pdev.doorbellWrites === 1 ? "" : "s"}`,
    );
    for (const e of v.pdev.doorbells.slice(-n)) {
      const t = (e.ns / 1e9).toFixed(9);
      const bytes = e.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      out.push(`  ${t}  BAR${e.bar}+0x${hex(e.offset)}  ${bytes}`);
    }
  }
  return out.length > 0 ? out : ["(no device is bound to vfio-pci)"];
}
