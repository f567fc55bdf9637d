/**
 * The type1 IOMMU backend of a vfio container (drivers/vfio/vfio_iommu_type1.c):
 * VFIO_IOMMU_MAP_DMA pins the user range for the device (long-term, for
 * writing) and records iova -> pages; VFIO_IOMMU_UNMAP_DMA unpins it; the
 * container's release unpins everything left.
 *
 * What mmlab leaves out: main has no IOMMU domain yet (lib/pci has no
 * translation tables), so a mapping here is the pins and the iova
 * bookkeeping only; the device's DMA does not go through it. Nor is
 * locked_vm charged against RLIMIT_MEMLOCK (vfio_lock_acct), and the
 * 65535-mapping limit (dma_entry_limit, ENOSPC) is not modelled.
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

/** One `struct vfio_dma`: an iova range and the pages pinned for it. */
export interface VfioDma {
  iova: number;
  size: number;
  vaddr: number;
  write: boolean;
  /** The mm the pages were pinned in (dma->mm). */
  mm: Mm;
  pages: GupPage[];
}

/** `struct vfio_iommu`: the DMA mappings of one container. */
export class VfioIommu {
  /** By iova, in no particular order (the kernel's rb-tree). */
  readonly dmas: VfioDma[] = [];

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
   * short pin (its errno, EFAULT for a partial one).
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
    this.dmas.push({ iova, size, vaddr, write, mm, pages: r.pages });
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

  /** vfio_remove_dma(): unpin the pages and forget the mapping. */
  private remove(d: VfioDma): void {
    unpinUserPages(d.mm, d.pages);
    this.dmas.splice(this.dmas.indexOf(d), 1);
  }

  /** vfio_iommu_type1_release(): every mapping goes. */
  release(): void {
    for (const d of [...this.dmas]) this.remove(d);
  }
}
