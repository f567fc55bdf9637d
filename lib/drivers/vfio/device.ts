/**
 * The state vfio-pci keeps for one bound function (`struct
 * vfio_pci_core_device`, drivers/vfio/pci/vfio_pci_core.c), and the
 * memory-enable test every BAR access and BAR fault makes.
 *
 * ```
 *   /dev/vfio/vfio (container) ── type1: DMA maps, pins
 *          ▲ VFIO_GROUP_SET_CONTAINER
 *   /dev/vfio/N (group) ── VFIO_GROUP_GET_DEVICE_FD ──► device fd(s)
 *                                                        │ one inode per device
 *                                                        ▼ (i_mmap: every BAR VMA)
 *                                              VfioPciDevice ── PciDev
 * ```
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { Inode } from "../../fs/inode.ts";
import type { Vma } from "../../mm/vma.ts";
import type { PciDev } from "../../pci/device.ts";
import { PCI_COMMAND_IO, PCI_COMMAND_MEMORY } from "../../pci/regs.ts";
import type { HrTimer } from "../../sched/hrtimer.ts";
import type { WaitQueue } from "../../sched/wait.ts";
import type { VfioGroup } from "./container.ts";
import type { EventfdCtx } from "../../fs/eventfd.ts";

/** One BAR fault as the handler saw it (the dyndbg line of vfio_pci_mmap_huge_fault). */
export interface VfioFaultRecord {
  /** The faulting page address. */
  addr: number;
  /** The order mapped: 0 a page, 9 a PMD (2 MiB), 18 a PUD (1 GiB); -1 none (SIGBUS). */
  order: number;
  /** PTEs the fault filled (a whole VMA, a prefault, a huge entry's pages). */
  ptes: number;
  /** The VM_FAULT_* result. */
  ret: number;
}

/** A removal waiting for the user to close the device (vfio_unregister_group_dev). */
export interface VfioRemoval {
  /** Where the unbinding task sleeps. */
  wq: WaitQueue;
  /** The request loop's 10 s timer. */
  timer: HrTimer | null;
  /** Requests sent so far (the `#N` of the log line). */
  count: number;
  /** Surprise removal: no task waits; the driver finishes the unbind on release. */
  hotUnplug: boolean;
}

/** struct vfio_pci_core_device: a PCI function bound to vfio-pci. */
export class VfioPciDevice {
  /** The device's file inode (vfio_fs_type, 6.10): every device fd opens it. */
  inode!: Inode;
  /** The device's IOMMU group (vdev->group). */
  group!: VfioGroup;
  /** Open device fds (vdev->vdev.open_count). */
  openCount = 0;
  /**
   * vconfig's COMMAND MEMORY and IO bits: what the user last wrote (the
   * physical register may differ after a reset or a setpci behind vfio's
   * back). __vfio_pci_memory_enabled() reads this one.
   */
  virtCommand = 0;
  /** bar_mmap_supported[], from vfio_pci_probe_mmaps() at enable. */
  readonly barMmapSupported: boolean[] = [false, false, false, false, false, false];
  /** BARs claimed for the user (barmap[]: pci_request_selected_regions at first use). */
  barmap = 0;
  /** 5.8-6.9: the VMAs mapped by a fault, zapped on memory disable (vma_list). */
  readonly vmaList: Set<Vma> = new Set();
  /** Every BAR fault since bind (the seed's "faults per first touch"). */
  readonly faults: VfioFaultRecord[] = [];
  /** Pages re-inserted on memory enable (faultImpl eager-reinsert). */
  reinserted = 0;
  /** Zaps on memory disable/reset, and the PTEs they cleared. */
  zaps = 0;
  /** PTEs the zaps cleared. */
  zappedPtes = 0;
  /** The user's AER error and device request eventfds (VFIO_DEVICE_SET_IRQS). */
  errTrigger: EventfdCtx | null = null;
  /** The device request eventfd. */
  reqTrigger: EventfdCtx | null = null;
  /** Still registered with vfio (false once removal finished: the group is empty). */
  registered = true;
  /** A removal in progress, or null. */
  removal: VfioRemoval | null = null;

  /** vfio-pci's state for `pdev` on `m`. */
  constructor(readonly m: Machine, readonly pdev: PciDev) {}

  /**
   * __vfio_pci_memory_enabled(): not in D3hot (not modelled) and either a
   * function without a MEMORY bit of its own (a VF: pdev->no_command_memory)
   * or the virtual MEMORY bit set.
   */
  memoryEnabled(): boolean {
    return this.pdev.isVirtfn || (this.virtCommand & PCI_COMMAND_MEMORY) !== 0;
  }

  /** Saves the MEMORY and IO bits of a COMMAND value into vconfig. */
  setVirtCommand(cmd: number): void {
    const mask = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
    this.virtCommand = (this.virtCommand & ~mask) | (cmd & mask);
  }
}
