/**
 * What vfio holds on a machine, as data: the same facts the `vfio` view's
 * text shows (lib/drivers/vfio/view.ts), for `vfio --json` and the REPL's
 * line JSON. Keys in a fixed order; no kernel file shows this either.
 * @module
 */

import { PCI_COMMAND_MEMORY } from "../../pci/regs.ts";
import { VM_FAULT_SIGBUS } from "../../mm/vm_ops.ts";
import { type VfioVmaPriv, vmaToPfn } from "./mmap.ts";
import type { Vfio } from "./pci_core.ts";

/** One device bound to vfio-pci: a row of `vfio`. */
export interface VfioStatusData {
  /** The function (`0000:05:00.0`). */
  bdf: string;
  /** Its group node, /dev/vfio/N. */
  group: string;
  /** Open device fds. */
  open: number;
  /** Memory enable as vfio sees it (the value the user wrote to COMMAND). */
  memory: boolean;
  /** PCI_COMMAND_MEMORY as the register holds it. */
  phys: boolean;
  /** BAR faults taken. */
  faults: number;
  /** Zaps on memory disable, and the PTEs they cleared. */
  zaps: number;
  /** PTEs the zaps cleared. */
  zappedPtes: number;
  /** Pages the container pins for DMA. */
  pinned: number;
  /** A removal waiting for the user: how many requests it sent; null when none. */
  removal: { requests: number } | null;
}

/** One BAR mapping of a device and the faults taken in it: `vfio faults`. */
export interface VfioMappingData {
  /** The function. */
  bdf: string;
  /** The VMA, [start, end). */
  start: number;
  /** End of the VMA (exclusive). */
  end: number;
  /** The BAR it maps. */
  bar: number;
  /** The pfn of its first page. */
  pfn: number;
  /** Its fault design (vfio.faultImpl at mmap time). */
  impl: string;
  /** The process mapping it (0 when none is alive). */
  pid: number;
  /** Each fault: the address, the order mapped, PTEs filled, the result's name. */
  faults: { addr: number; order: number; ptes: number; ret: string }[];
}

/** Every device bound to vfio-pci, as `vfio` shows them. */
export function vfioStatusData(vfio: Vfio): VfioStatusData[] {
  return [...vfio.devices.values()].map((v) => ({
    bdf: v.pdev.bdf,
    group: v.group.inode.path,
    open: v.openCount,
    memory: v.memoryEnabled(),
    phys: (v.pdev.command & PCI_COMMAND_MEMORY) !== 0,
    faults: v.faults.length,
    zaps: v.zaps,
    zappedPtes: v.zappedPtes,
    pinned: v.group.container?.iommu?.pinnedPages ?? 0,
    removal: v.removal === null ? null : { requests: v.removal.count },
  }));
}

/** Every BAR mapping of each device bound to vfio-pci, and its faults (`vfio faults`). */
export function vfioFaultData(vfio: Vfio): VfioMappingData[] {
  const out: VfioMappingData[] = [];
  for (const v of vfio.devices.values()) {
    for (const vma of v.inode.mappings) {
      const p = vma.priv as VfioVmaPriv;
      out.push({
        bdf: v.pdev.bdf,
        start: vma.start,
        end: vma.end,
        bar: p.bar,
        pfn: vmaToPfn(vma),
        impl: p.impl,
        pid: [...v.m.procs.values()].find((q) => q.alive && q.mm === vma.mm)?.pid ?? 0,
        faults: v.faults.filter((f) => f.addr >= vma.start && f.addr < vma.end).map((f) => ({
          addr: f.addr,
          order: f.order,
          ptes: f.ptes,
          ret: f.ret === VM_FAULT_SIGBUS ? "VM_FAULT_SIGBUS" : "VM_FAULT_NOPAGE",
        })),
      });
    }
  }
  return out;
}
