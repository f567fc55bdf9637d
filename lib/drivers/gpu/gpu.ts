/**
 * A GPU-like exporter: the driver of the display-class function under the
 * switch beside the RDMA NIC (04:00.0 in the default machine, bound as
 * `nvidia`, replacing its stub). What seed 003 needs of a GPU driver, and
 * nothing else: a character device, /dev/nvidia<N>, whose
 * mmap maps a window of BAR 2 (the large prefetchable aperture) into the
 * process with remap_pfn_range() from ->mmap, as GPU drivers map their
 * apertures: a "special" VMA, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
 * VM_DONTDUMP (`io pf de dd` in smaps), write-combining, whose PTEs have
 * no struct page. GUP refuses it (-EFAULT), hmm_range_fault refuses it
 * (-EFAULT when asked to fault, HMM_PFN_ERROR otherwise).
 *
 * Under `hmm.p2pMap=rfc-2019` the VMA's vm_operations carry the 2019 RFC's
 * p2p_map ("mm/vma: add support for peer to peer to device vma", never
 * merged): an importing device's driver, mirroring the range through HMM,
 * asks the exporter for bus addresses; the exporter answers from the PCI
 * p2p rules (drivers/pci/p2pdma.c: BUS_ADDR or THRU_HOST_BRIDGE give the
 * BAR's bus addresses, NOT_SUPPORTED is refused with -EREMOTEIO, the errno
 * the kernel's P2PDMA GUP path uses). The map type is asked the way the
 * DMA mapping code asks it (pci_p2pdma_map_type: verbose the first time
 * per client, cached after). The probe registers BAR 2 as p2pdma memory
 * (pci_p2pdma_add_resource), which makes the function a provider.
 *
 * Unbind and hot-unplug revoke user mappings, as a driver that revokes
 * does: remove() zaps every PTE of the device file's VMAs
 * (unmap_mapping_range(inode->i_mapping, 0, 0, 1): mmu notifiers fire, so
 * ODP mirrors drop the range too). The VMAs stay; having no ->fault, a
 * later touch faults with nothing to fill the PTE: SIGBUS (do_fault() ->
 * VM_FAULT_SIGBUS), and a new mmap of the file is -ENXIO.
 *
 * Not modelled: the GPU's own page tables, compute, memory allocation
 * ioctls.
 * @module
 */

import { EINVAL, ENXIO, EREMOTEIO } from "../../abi/errno.ts";
import type { Machine } from "../../machine.ts";
import type { PciDev } from "../../pci/device.ts";
import {
  barPfn,
  pciEnableDevice,
  pciReleaseRegions,
  pciRequestRegions,
  pciSetMaster,
} from "../../pci/pci.ts";
import { p2pdmaMapType } from "../../pci/p2pdma.ts";
import { PCI_ANY_ID, type PciDriver } from "../core/driver.ts";
import { DEVTMPFS_SB } from "../../fs/fs.ts";
import { Inode } from "../../fs/inode.ts";
import type { OpenFile } from "../../fs/file.ts";
import type { FileOperations } from "../../mm/file_operations.ts";
import type { Vma } from "../../mm/vma.ts";
import { remapPfnRange } from "../../mm/pfnmap.ts";
import type { FaultPrediction, VmFault } from "../../mm/vm_ops.ts";
import { unmapMappingPages } from "../../mm/truncate.ts";
import { CACHE_WC } from "../../mm/pagetable.ts";
import { VM_SHARED } from "../../mm/vm_flags.ts";
import type { P2pMapResult, P2pVmOperations } from "../../mm/hmm.ts";

/** The driver's name (as the topology's native driver of the GPU). */
export const GPU_DRIVER = "nvidia";
/** The aperture BAR user mappings come from. */
export const GPU_APERTURE_BAR = 2;

/** One bound GPU function and its device file. */
export class GpuDevice {
  removed = false;
  inode: Inode | null = null;
  constructor(readonly m: Machine, readonly dev: PciDev, readonly minor: number) {}

  get path(): string {
    return `/dev/nvidia${this.minor}`;
  }
}

function gpuOf(file: OpenFile): GpuDevice {
  return file.inode.priv as GpuDevice;
}

/**
 * ->mmap: a window of the aperture at offset vm_pgoff pages. Shared
 * mappings only (a private one would be a COW mapping of device memory),
 * within the BAR, write-combining; remap_pfn_range() from ->mmap holds the
 * mmap write lock, so it sets the VMA flags without a lock WARNING.
 */
function gpuMmap(file: OpenFile, vma: Vma): number {
  const gpu = gpuOf(file);
  if (gpu.removed) return -ENXIO;
  if (!(vma.flags & VM_SHARED)) return -EINVAL;
  const bar = barPfn(gpu.dev, GPU_APERTURE_BAR);
  if (bar === null || vma.pgoff + vma.pages > bar.pages) return -EINVAL;
  vma.cacheMode = CACHE_WC; // pgprot_writecombine()
  vma.ops = GPU_VM_OPS;
  return remapPfnRange(vma, vma.start, bar.pfn + vma.pgoff, vma.end - vma.start, ["nvidia_mmap"]);
}

const GPU_FOPS: FileOperations = {
  name: "nvidia_fops",
  fopFlags: 0,
  mmap: gpuMmap,
};

/**
 * The RFC's ->p2p_map(vma, device, start, end, write): bus addresses of
 * [start, end) for `importer` (a PCI function), or -errno. The BAR's bus
 * address is its CPU physical address in mmlab (no host-bridge offset).
 */
function gpuP2pMap(
  vma: Vma,
  importer: unknown,
  start: number,
  end: number,
  write: boolean,
): P2pMapResult | number {
  const gpu = vma.file === null ? undefined : gpuOf(vma.file);
  if (gpu === undefined || gpu.removed) return -ENXIO;
  const client = importer as PciDev;
  if (typeof client?.bdf !== "string") return -EINVAL;
  const type = p2pdmaMapType(gpu.m.p2pdma, gpu.dev, client);
  if (type === "NOT_SUPPORTED") return -EREMOTEIO;
  const bar = barPfn(gpu.dev, GPU_APERTURE_BAR)!;
  const first = bar.pfn + vma.pgoff + (start - vma.start) / 4096;
  const busPfns: number[] = [];
  for (let a = start; a < end; a += 4096) busPfns.push(first + busPfns.length);
  return { busPfns, write };
}

/**
 * Why a fault on an aperture mapping is SIGBUS: the VMA has no ->fault
 * (do_fault: VM_FAULT_SIGBUS), as remap_pfn_range() filled every PTE at
 * mmap; a PTE is missing only after the driver revoked the mapping.
 */
// mm/memory.c: do_fault (vma->vm_ops->fault == NULL -> VM_FAULT_SIGBUS)
function gpuPredictFault(vmf: VmFault): FaultPrediction {
  const gpu = vmf.vma.file === null ? undefined : gpuOf(vmf.vma.file);
  return {
    fn: "do_fault",
    result: "sigbus",
    pfn: -1,
    ptes: 0,
    why: gpu?.removed
      ? `${gpu.path} was revoked (${GPU_DRIVER} remove: unmap_mapping_range), and ` +
        "nvidia_mmap's VMAs have no ->fault: VM_FAULT_SIGBUS"
      : "nvidia_mmap's VMAs have no ->fault (remap_pfn_range filled it at mmap): VM_FAULT_SIGBUS",
    policies: [],
  };
}

/** vm_operations of an aperture mapping (p2p_map is only asked under the RFC policy). */
export const GPU_VM_OPS: P2pVmOperations = {
  p2pMap: gpuP2pMap,
  predictFault: gpuPredictFault,
};

/**
 * The PCI driver: probe enables the function, claims its BARs, makes BAR 2
 * p2pdma memory and creates /dev/nvidia<N> (the lowest free N).
 */
export function gpuDriver(): PciDriver {
  const bound = new Map<PciDev, GpuDevice>();
  return {
    name: GPU_DRIVER,
    // Display controllers of NVIDIA (class 03xxxx).
    idTable: [{ vendor: 0x10de, device: PCI_ANY_ID, class: 0x030000, classMask: 0xff0000 }],
    probe(m: Machine, dev: PciDev): number {
      const r = pciEnableDevice(m.pci, dev);
      if (r !== 0) return r;
      pciSetMaster(dev);
      pciRequestRegions(m.pci, dev, GPU_DRIVER);
      m.p2pdma.addProvider(dev); // pci_p2pdma_add_resource(pdev, 2, ...)
      const used = new Set([...bound.values()].map((g) => g.minor));
      let minor = 0;
      while (used.has(minor)) minor++;
      const gpu = new GpuDevice(m, dev, minor);
      const inode = new Inode(2000 + minor, DEVTMPFS_SB, "chardev", gpu.path, 0, {
        fop: GPU_FOPS,
        iop: {},
      });
      inode.mode = 0o666;
      inode.priv = gpu;
      gpu.inode = inode;
      m.fs.mknod(gpu.path, inode);
      bound.set(dev, gpu);
      return 0;
    },
    remove(m: Machine, dev: PciDev) {
      const gpu = bound.get(dev);
      if (gpu !== undefined) {
        gpu.removed = true;
        // unmap_mapping_range(inode->i_mapping, 0, 0, 1): revoke every user mapping.
        if (gpu.inode !== null) unmapMappingPages(m, gpu.inode, 0, Infinity, true);
      }
      bound.delete(dev);
      m.p2pdma.providers.delete(dev);
      pciReleaseRegions(m.pci, dev, GPU_DRIVER);
      return undefined;
    },
  };
}
