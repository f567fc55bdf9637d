/**
 * The type1 IOMMU backend of a vfio container (drivers/vfio/vfio_iommu_type1.c):
 * VFIO_IOMMU_MAP_DMA pins the user range for the device (long-term, for
 * writing), charges it to the mm's locked_vm and maps iova -> pages in the
 * container's IOMMU domain; VFIO_IOMMU_UNMAP_DMA unmaps, unpins and
 * uncharges; the container's release does so for everything left.
 *
 * The domain: vfio_iommu_type1_attach_group() gives the first group a
 * paging domain (iommu_paging_domain_alloc + iommu_attach_group) and every
 * later group of the container joins it (one compatible IOMMU here), so
 * the mappings are already there for it (no vfio_iommu_replay needed).
 * The device's DMA then reaches memory only through the mapped IOVAs; any
 * other address faults (DMAR: ..., lib/pci/iommu.ts). With
 * `iommu.enabled=off` the kernel would offer no group at all (only the
 * noiommu mode); mmlab keeps vfio usable there, with no domain: the pins
 * and the bookkeeping only, and the device's bus addresses are physical.
 *
 * locked_vm: vfio_pin_pages_remote() counts each page (vfio_lock_acct ->
 * mm->locked_vm) and fails with ENOMEM, logging "RLIMIT_MEMLOCK (N)
 * exceeded", when locked_vm would pass RLIMIT_MEMLOCK without
 * CAP_IPC_LOCK (root). mmlab's locked_vm is the VM_LOCKED VMAs' pages, so
 * vfio's charge is kept beside it per mm ({@link VfioLockedVm}); VmLck in
 * /proc/PID/status does not show it. Not modelled: the 65535-mapping
 * limit (dma_entry_limit, ENOSPC).
 * @module
 */

import { EEXIST, EFAULT, EINVAL } from "../../abi/errno.ts";
import {
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_VADDR,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
  VFIO_DMA_UNMAP_FLAG_VADDR,
} from "../../abi/vfio.ts";
import {
  FOLL_LONGTERM,
  FOLL_WRITE,
  type GupPage,
  pinUserPages,
  unpinUserPages,
} from "../../mm/gup.ts";
import type { Mm } from "../../mm/mm.ts";
import { lockedVm } from "../../mm/mlock.ts";
import { ENOMEM } from "../../abi/errno.ts";
import { type Iommu, IOMMU_READ, IOMMU_WRITE, type IommuDomain } from "../../pci/iommu.ts";
import type { PciDev } from "../../pci/device.ts";
import type { Dmesg } from "../../dmesg.ts";

/** vfio's share of each mm's locked_vm, in pages (one per machine). */
export type VfioLockedVm = WeakMap<Mm, number>;

/** One `struct vfio_dma`: an iova range and the pages pinned for it. */
export interface VfioDma {
  /** The first IOVA. */
  iova: number;
  /** Length in bytes. */
  size: number;
  /** The user virtual address the range maps. */
  vaddr: number;
  /** The device may write (VFIO_DMA_MAP_FLAG_WRITE). */
  write: boolean;
  /** The mm the pages were pinned in (dma->mm). */
  mm: Mm;
  /** The pinned pages, in IOVA order. */
  pages: GupPage[];
}

/** `struct vfio_iommu`: the DMA mappings of one container. */
export class VfioIommu {
  /** By iova, in no particular order (the kernel's rb-tree). */
  readonly dmas: VfioDma[] = [];
  /** The container's paging domain, once a group is attached with translation on. */
  domain: IommuDomain | null = null;

  /** The type1 backend over IOMMU `hw`, charging pins to `locked`, logging to `dmesg`. */
  constructor(
    private readonly hw: Iommu,
    private readonly locked: VfioLockedVm,
    private readonly dmesg: Dmesg,
  ) {}

  /**
   * vfio_iommu_type1_attach_group(): the group's function joins the
   * container's domain (allocated for the first); iommu_attach_device's
   * errno (EBUSY: attached elsewhere) otherwise. Nothing with translation off.
   */
  attachGroup(dev: PciDev): number {
    if (!this.hw.enabled) return 0;
    const fresh = this.domain === null;
    const dom = this.domain ?? this.hw.allocDomain();
    const r = this.hw.attach(dev, dom);
    if (r < 0) {
      if (fresh) this.hw.freeDomain(dom);
      return r;
    }
    this.domain = dom;
    return 0;
  }

  /** vfio_iommu_type1_detach_group(): back to the default domain. */
  detachGroup(dev: PciDev): void {
    if (this.domain !== null && this.domain.devices.has(dev)) this.hw.detach(dev);
  }

  /** Pages pinned for the device now, over every mapping. */
  get pinnedPages(): number {
    return this.dmas.reduce((n, d) => n + d.pages.length, 0);
  }

  /**
   * vfio_dma_do_map(): argsz and flags first (EINVAL), then a mapping
   * needs READ and/or WRITE, a non-zero page-aligned size, iova and vaddr
   * (EINVAL); an overlap with an existing mapping is EEXIST; then
   * vfio_pin_map_dma() pins every page (pin_user_pages_remote with
   * FOLL_WRITE when the device may write, FOLL_LONGTERM) and unwinds on a
   * short pin (its errno, EFAULT for a partial one); the pages are charged
   * to locked_vm (ENOMEM past RLIMIT_MEMLOCK without CAP_IPC_LOCK), then
   * vfio_iommu_map() maps them (IOMMU_READ, IOMMU_WRITE per the flags).
   */
  map(mm: Mm, argsz: number, flags: bigint, vaddr: number, iova: number, size: number): number {
    const mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;
    if (argsz < 32 || (flags & ~mask) !== 0n) return -EINVAL;
    // VFIO_DMA_MAP_FLAG_VADDR (update a vaddr after exec/live update) is not modelled.
    if (flags & VFIO_DMA_MAP_FLAG_VADDR) return -EINVAL;
    const write = (flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0n;
    if ((flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) === 0n) return -EINVAL;
    if (size === 0 || (size | iova | vaddr) % 4096 !== 0) return -EINVAL;
    if (this.dmas.some((d) => iova < d.iova + d.size && d.iova < iova + size)) return -EEXIST;
    const n = size / 4096;
    const r = pinUserPages(mm, vaddr, n, (write ? FOLL_WRITE : 0) | FOLL_LONGTERM);
    if (r.pages.length < n) {
      unpinUserPages(mm, r.pages);
      return r.pages.length === 0 && r.err < 0 ? r.err : -EFAULT;
    }
    // vfio_pin_pages_remote(): mm->locked_vm + lock_acct + 1 > limit fails.
    const charged = this.locked.get(mm) ?? 0;
    const limit = mm.rlimits.memlock === Infinity
      ? Infinity
      : Math.floor(mm.rlimits.memlock / 4096);
    if (!mm.machine.config.root && lockedVm(mm) + charged + n > limit) {
      this.dmesg.log("warn", `vfio_pin_pages_remote: RLIMIT_MEMLOCK (${limit * 4096}) exceeded`);
      unpinUserPages(mm, r.pages);
      return -ENOMEM;
    }
    this.locked.set(mm, charged + n);
    const d: VfioDma = { iova, size, vaddr, write, mm, pages: r.pages };
    if (this.domain !== null) {
      const prot = ((flags & VFIO_DMA_MAP_FLAG_READ) ? IOMMU_READ : 0) |
        (write ? IOMMU_WRITE : 0);
      for (let i = 0; i < n; i++) this.domain.map(iova + i * 4096, r.pages[i].pfn, 4096, prot);
    }
    this.dmas.push(d);
    return 0;
  }

  /**
   * vfio_dma_do_unmap(): removes the mappings inside [iova, iova+size)
   * (UNMAP_FLAG_ALL: every one, with iova and size 0) and unpins their
   * pages. A range that cuts a mapping in two is EINVAL (type1v2 rule);
   * returns the bytes unmapped, which the ioctl writes back into `size`.
   */
  unmap(argsz: number, flags: bigint, iova: number, size: number): number {
    const mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_ALL |
      VFIO_DMA_UNMAP_FLAG_VADDR;
    if (argsz < 24 || (flags & ~mask) !== 0n) return -EINVAL;
    if (flags & (VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR)) return -EINVAL;
    const all = (flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0n;
    if (all && (iova !== 0 || size !== 0)) return -EINVAL;
    if (!all && (size === 0 || (size | iova) % 4096 !== 0)) return -EINVAL;
    const end = all ? Infinity : iova + size;
    // A mapping straddling either end may not be split.
    for (const d of this.dmas) {
      const overlaps = d.iova < end && iova < d.iova + d.size;
      if (overlaps && (d.iova < iova || d.iova + d.size > end)) return -EINVAL;
    }
    let done = 0;
    for (const d of [...this.dmas]) {
      if (d.iova >= iova && d.iova + d.size <= end) {
        this.remove(d);
        done += d.size;
      }
    }
    return done;
  }

  /**
   * vfio_remove_dma() -> vfio_unmap_unpin(): iommu_unmap first (the device
   * loses the IOVAs), then unpin and uncharge locked_vm, and forget it.
   */
  private remove(d: VfioDma): void {
    this.domain?.unmap(d.iova, d.size);
    unpinUserPages(d.mm, d.pages);
    this.locked.set(d.mm, Math.max(0, (this.locked.get(d.mm) ?? 0) - d.pages.length));
    this.dmas.splice(this.dmas.indexOf(d), 1);
  }

  /** vfio_iommu_type1_release(): every mapping goes, then the domain. */
  release(): void {
    for (const d of [...this.dmas]) this.remove(d);
    if (this.domain !== null) this.hw.freeDomain(this.domain);
    this.domain = null;
  }
}
