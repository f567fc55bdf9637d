/**
 * drivers/pci/pci-sysfs.c: the files of /sys/bus/pci/devices/BDF that
 * reach the hardware without a driver:
 *
 * - `resourceN` (one per memory BAR): mmap maps the BAR
 *   (pci_mmap_resource -> pci_mmap_fits -> pci_mmap_resource_range:
 *   vm_pgoff += the BAR's first pfn, io_remap_pfn_range, uncached): a
 *   VM_IO|VM_PFNMAP mapping whose loads and stores reach the register
 *   model. A range past the BAR is -EINVAL. read/write are not supported
 *   on memory BARs (-EINVAL here).
 * - `sriov_totalvfs`, `sriov_numvfs` (a PF's): read the counts; a write of
 *   a number to sriov_numvfs enables or disables VFs
 *   (lib/drivers/core/sriov.ts sriov_numvfs_store).
 * - `config`: pread of the configuration space (4096 bytes for root); a
 *   pwrite changes what mmlab models as writable, the COMMAND register
 *   (offsets 4-5; other bytes are ignored), with literal data only (a
 *   write from a user buffer address is -EINVAL here: the VFS hands
 *   drivers no user pointer yet).
 *
 * The files are registered under /sys/bus/pci/devices/BDF/ and name
 * themselves by their /sys/devices/pci0000:00/... path, as a mapping's
 * line in /proc/PID/maps does (the bus path is a symlink).
 * @module
 */

import { EACCES, EINVAL, ENODEV } from "../../abi/errno.ts";
import { Inode, type SuperBlock } from "../../fs/inode.ts";
import type { OpenFile } from "../../fs/file.ts";
import type { FileOperations } from "../../mm/file_operations.ts";
import { CACHE_UC_MINUS } from "../../mm/pagetable.ts";
import { remapPfnRange } from "../../mm/pfnmap.ts";
import type { Vma } from "../../mm/vma.ts";
import type { PciDev } from "../../pci/device.ts";
import { barPfn } from "../../pci/pci.ts";
import { PCI_COMMAND } from "../../pci/regs.ts";
import type { Filesystem } from "../../fs/fs.ts";

/** sysfs (`/sys`). */
export const SYSFS_SB: SuperBlock = {
  major: 0x00,
  minor: 0x15,
  noexec: true,
  punchHole: false,
  name: "sysfs",
};

/** /sys/devices/pci0000:00/0000:00:01.0/.../0000:03:00.0 (the device's path). */
export function sysfsDevicePath(d: PciDev): string {
  const chain: string[] = [];
  for (let x: PciDev | null = d; x !== null; x = x.upstream) chain.unshift(x.bdf);
  return `/sys/devices/pci${d.bdf.slice(0, 4)}:00/${chain.join("/")}`;
}

/** The BAR a resource file maps. */
interface ResourceFile {
  dev: PciDev;
  bar: number;
}

/** pci_mmap_resource(): maps the BAR (pgoff relative to it) if the range fits. */
function mmapResource(file: OpenFile, vma: Vma): number {
  const rf = file.inode.priv as ResourceFile;
  if (rf.dev.state === "removed") return -ENODEV;
  const bar = barPfn(rf.dev, rf.bar);
  if (bar === null) return -EINVAL;
  // pci_mmap_fits(): start < size && size - start >= nr.
  if (!(vma.pgoff < bar.pages && bar.pages - vma.pgoff >= vma.pages)) return -EINVAL;
  // pci_mmap_resource_range(): vm_pgoff becomes the pfn (maps shows the
  // physical address as the offset), uncached, io_remap_pfn_range.
  vma.pgoff += bar.pfn;
  vma.cacheMode = CACHE_UC_MINUS;
  return remapPfnRange(vma, vma.start, vma.pgoff, vma.end - vma.start);
}

const RESOURCE_FOPS: FileOperations = {
  name: "pci_resource_fops",
  fopFlags: 0,
  mmap: mmapResource,
  read: () => -EINVAL,
  write: () => -EINVAL,
};

/** pci_read_config(): the config space from `pos` (as root: 4096 bytes). */
function readConfig(file: OpenFile, count: number, pos: number): Uint8Array {
  const d = file.inode.priv as PciDev;
  const end = Math.min(d.config.length, pos + count);
  return pos >= end ? new Uint8Array(0) : d.config.slice(pos, end);
}

/** pci_write_config(): COMMAND bytes take effect; others are ignored. */
function writeConfig(file: OpenFile, data: Uint8Array | null, count: number, pos: number): number {
  const d = file.inode.priv as PciDev;
  if (data === null) return -EINVAL;
  if (pos >= d.config.length) return 0;
  const n = Math.min(count, data.length, d.config.length - pos);
  let cmd = d.command;
  for (let i = 0; i < n; i++) {
    const o = pos + i;
    if (o === PCI_COMMAND) cmd = (cmd & 0xff00) | data[i];
    if (o === PCI_COMMAND + 1) cmd = (cmd & 0xff) | (data[i] << 8);
  }
  if (cmd !== d.command) d.setCommand(cmd);
  return n;
}

const CONFIG_FOPS: FileOperations = {
  name: "pci_config_fops",
  fopFlags: 0,
  read: (_p, f, count, pos) => readConfig(f, count, pos),
  write: (_p, f, data, count, pos) => writeConfig(f, data, count, pos),
  llseek: (_p, f, off, whence) => {
    // generic_file_llseek over a 4096-byte file (SEEK_SET, SEEK_CUR, SEEK_END).
    const base = whence === 0 ? 0n : whence === 1 ? f.pos : whence === 2 ? 4096n : -1n;
    if (base < 0n || base + off < 0n) return BigInt(-EINVAL);
    f.pos = base + off;
    return f.pos;
  },
};

/** sriov_numvfs and sriov_totalvfs (a PF's). */
interface SriovFile {
  dev: PciDev;
  store: ((text: string) => number) | null;
}

const SRIOV_FOPS: FileOperations = {
  name: "pci_sriov_fops",
  fopFlags: 0,
  read: (_p, f, count, pos) => {
    const sf = f.inode.priv as SriovFile;
    const s = sf.dev.sriov!;
    const text = new TextEncoder().encode(`${sf.store === null ? s.totalVfs : s.numVfs}\n`);
    return text.slice(pos, pos + count);
  },
  write: (_p, f, data) => {
    const sf = f.inode.priv as SriovFile;
    if (sf.store === null) return -EACCES;
    if (data === null) return -EINVAL;
    return sf.store(new TextDecoder().decode(data));
  },
};

/**
 * Creates the sysfs files of `d` in `fs`: config and resourceN for its
 * memory BARs. `ino` gives inode numbers (sysfs numbers them as it
 * creates them). Bridges get config only.
 */
export function addPciSysfs(
  fs: Filesystem,
  d: PciDev,
  ino: () => number,
  numvfs: ((text: string) => number) | null = null,
): void {
  const dir = `/sys/bus/pci/devices/${d.bdf}`;
  const real = sysfsDevicePath(d);
  const add = (name: string, fop: FileOperations, priv: unknown, size: number, mode: number) => {
    const inode = new Inode(ino(), SYSFS_SB, "chardev", `${real}/${name}`, size, { fop, iop: {} });
    inode.priv = priv;
    inode.mode = mode;
    fs.names.set(`${dir}/${name}`, inode);
  };
  add("config", CONFIG_FOPS, d, 4096, 0o644);
  if (d.sriov !== null) {
    add("sriov_totalvfs", SRIOV_FOPS, { dev: d, store: null } satisfies SriovFile, 4096, 0o444);
    if (numvfs !== null) {
      add("sriov_numvfs", SRIOV_FOPS, { dev: d, store: numvfs } satisfies SriovFile, 4096, 0o644);
    }
  }
  for (const b of d.bars) {
    if (b === null || !b.isMem) continue;
    add(
      `resource${b.index}`,
      RESOURCE_FOPS,
      { dev: d, bar: b.index } satisfies ResourceFile,
      b.size,
      0o600,
    );
  }
}

/** The function left the bus: its sysfs directory goes. */
export function removePciSysfs(fs: Filesystem, d: PciDev): void {
  const dir = `/sys/bus/pci/devices/${d.bdf}/`;
  for (const k of [...fs.names.keys()]) if (k.startsWith(dir)) fs.names.delete(k);
}
