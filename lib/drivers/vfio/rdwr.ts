/**
 * read/write (pread/pwrite) on a vfio-pci device fd: the position's high
 * bits name the region (index << 40), the low bits the offset in it
 * (drivers/vfio/pci/vfio_pci_core.c vfio_pci_rw()).
 *
 * - BARs (vfio_pci_rdwr.c vfio_pci_bar_rw): EINVAL past the BAR, the count
 *   clipped to its end; a memory BAR goes through
 *   vfio_pci_core_do_io_rw() with `test_mem`: memory disabled -> EIO. The
 *   ≤5.7 design had no such test: the access reaches the disabled device
 *   (hw.mmioUnclaimed: all ones, or a host-fatal error).
 * - Config space (vfio_pci_config.c vfio_pci_config_rw): EFAULT past
 *   cfg_size. Reads return the physical registers. A write to COMMAND is
 *   vfio_basic_config_write(): clearing MEMORY first zaps every BAR
 *   mapping (vfio_pci_zap_and_down_write_memory_lock), then the physical
 *   register is written, then vconfig keeps the MEMORY/IO bits the user
 *   asked for. Other header writes are taken and dropped (mmlab does not
 *   model vfio's per-field permission tables or virtual BARs).
 * - ROM (none here), VGA (no VGA device) and beyond: EINVAL.
 *
 * None of this logs anything.
 * @module
 */

import { EFAULT, EINVAL, EIO } from "../../abi/errno.ts";
import {
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_OFFSET_SHIFT,
  VFIO_PCI_ROM_REGION_INDEX,
} from "../../abi/vfio.ts";
import type { KnobValue } from "../../policy.ts";
import type { IterRequest } from "../../mm/file_operations.ts";
import { copyFromUser, copyToUser } from "../../mm/uaccess.ts";
import type { Process } from "../../proc/process.ts";
import type { SysOut } from "../../syscalls.ts";
import { PCI_COMMAND, PCI_COMMAND_MEMORY } from "../../pci/regs.ts";
import type { VfioPciDevice } from "./device.ts";
import { vfioPciReinsertBars, vfioPciSetupBarmap, vfioPciZapBars } from "./mmap.ts";

const REGION = 2 ** VFIO_PCI_OFFSET_SHIFT;

/** The design of new mappings decides whether the BAR accessors test memory enable. */
const TEST_MEM: Record<KnobValue<"vfio.faultImpl">, boolean> = {
  "mmap-remap": false,
  "remap-in-fault": true,
  "insert-pfn+prefault": true,
  "insert-pfn": true,
  "huge-fault": true,
  "eager-reinsert": true,
};

/** vfio_pci_rw(): one read or write on the device fd. */
export function vfioPciRw(vdev: VfioPciDevice, p: Process, req: IterRequest): SysOut | number {
  const index = Math.floor(req.pos / REGION);
  const off = req.pos % REGION;
  let data: Uint8Array | null = null;
  if (req.write) {
    data = req.addr !== null ? copyFromUser(p, req.addr, req.count) : fit(req.data, req.count);
    if (data.length < req.count) return -EFAULT;
  }
  let r: Uint8Array | number;
  if (index === VFIO_PCI_CONFIG_REGION_INDEX) r = configRw(vdev, off, req.count, data);
  else if (index < VFIO_PCI_ROM_REGION_INDEX) r = barRw(vdev, index, off, req.count, data);
  else r = -EINVAL;
  if (typeof r === "number") return r;
  if (req.write) return r.length;
  if (req.addr !== null) {
    const left = copyToUser(p, req.addr, r);
    if (left > 0) return -EFAULT;
  }
  return { ret: r.length, data: r };
}

/** A literal write buffer of exactly `n` bytes. */
function fit(data: Uint8Array | null, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (data !== null) out.set(data.subarray(0, n));
  return out;
}

/** vfio_pci_bar_rw(): bytes read (or the bytes written, echoed), or -errno. */
function barRw(
  vdev: VfioPciDevice,
  index: number,
  pos: number,
  count: number,
  data: Uint8Array | null,
): Uint8Array | number {
  const bar = vdev.pdev.bars[index];
  if (bar === null || bar === undefined || bar.size === 0) return -EINVAL;
  if (pos >= bar.size) return -EINVAL;
  const n = Math.min(count, bar.size - pos);
  const claimed = vfioPciSetupBarmap(vdev, index);
  if (claimed < 0) return claimed;
  if (bar.kind === "io") {
    // Port I/O: no memory-enable test (vfio_pci_core_do_io_rw, test_mem false).
    if (data !== null) bar.store(pos, data.subarray(0, n));
    return data !== null ? data.subarray(0, n) : bar.read(pos, n);
  }
  if (TEST_MEM[vdev.m.policy("vfio.faultImpl")] && !vdev.memoryEnabled()) return -EIO;
  // ioread/iowrite through the BAR's mapping: the same path a CPU access takes.
  const io = vdev.m.iomem.mmioAt(bar.addr + pos);
  if (io === null) return -EIO;
  if (data !== null) {
    io.ops.write(io.off, data.subarray(0, n));
    return data.subarray(0, n);
  }
  return io.ops.read(io.off, n);
}

/** vfio_pci_config_rw() */
function configRw(
  vdev: VfioPciDevice,
  pos: number,
  count: number,
  data: Uint8Array | null,
): Uint8Array | number {
  const cfg = vdev.pdev.config;
  if (pos >= cfg.length || pos + count > cfg.length) return -EFAULT;
  if (data === null) return cfg.slice(pos, pos + count);
  // A write covering COMMAND (0x04-0x05) goes through vfio_basic_config_write().
  if (pos <= PCI_COMMAND + 1 && pos + count > PCI_COMMAND) {
    const cmd = new Uint8Array([cfg[PCI_COMMAND], cfg[PCI_COMMAND + 1]]);
    for (let i = 0; i < count; i++) {
      const at = pos + i - PCI_COMMAND;
      if (at === 0 || at === 1) cmd[at] = data[i];
    }
    writeCommand(vdev, cmd[0] | (cmd[1] << 8));
  }
  return data;
}

/**
 * vfio_basic_config_write() for PCI_COMMAND: a write that clears MEMORY
 * zaps the BAR mappings and takes memory_lock for write before the
 * physical register changes (so no fault can map a BAR meanwhile); the
 * new MEMORY/IO bits are then kept in vconfig, which the fault handler
 * and the BAR accessors test.
 */
function writeCommand(vdev: VfioPciDevice, newCmd: number): void {
  const wasEnabled = vdev.memoryEnabled();
  const newMem = (newCmd & PCI_COMMAND_MEMORY) !== 0;
  if (!newMem) vfioPciZapBars(vdev);
  vdev.pdev.setCommand(newCmd);
  vdev.setVirtCommand(newCmd);
  if (newMem && !wasEnabled) vfioPciReinsertBars(vdev);
}
