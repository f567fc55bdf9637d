/**
 * Test helper: a character device whose ->mmap maps one BAR of a PCI
 * function with remap_pfn_range (what a driver's BAR mmap does), so tests
 * can reach the register model with CPU loads and stores.
 */
import type { Machine, PciDev, Process } from "../../mod.ts";
import { barPfn } from "../../mod.ts";
import { Inode, type SuperBlock } from "../../lib/fs/inode.ts";
import type { FileOperations } from "../../lib/mm/file_operations.ts";
import type { OpenFile } from "../../lib/fs/file.ts";
import type { Vma } from "../../lib/mm/vma.ts";
import { remapPfnRange } from "../../lib/mm/pfnmap.ts";
import { CACHE_UC_MINUS } from "../../lib/mm/pagetable.ts";
import { MAP_SHARED, O_RDWR, PROT_READ, PROT_WRITE } from "../../lib/abi/mman.ts";
import { syscall } from "../../mod.ts";

/** Maps BAR `index` of `dev` into `p`; returns the address. */
export function mapBar(m: Machine, p: Process, dev: PciDev, index: number, len = 4096): number {
  const bar = barPfn(dev, index)!;
  const fops: FileOperations = {
    name: "testbar_fops",
    fopFlags: 0,
    mmap(_f: OpenFile, vma: Vma): number {
      vma.cacheMode = CACHE_UC_MINUS;
      return remapPfnRange(vma, vma.start, bar.pfn + vma.pgoff, vma.end - vma.start);
    },
  };
  const sb: SuperBlock = {
    major: 0,
    minor: 5,
    noexec: false,
    punchHole: false,
    name: "devtmpfs",
    ops: { chardev: { fop: fops, iop: {} } },
  };
  const f = m.openInode(new Inode(901, sb, "chardev", "/dev/testbar", 0), O_RDWR);
  const fd = p.allocFd(f);
  return syscall(p, "mmap", [0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
}
