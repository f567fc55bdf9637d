/**
 * What the RDMA driver needs from the hardware and from mm, behind a small
 * seam: a PCI function with a doorbell BAR (its pfns, whether it still
 * answers, and the device's log of doorbell writes: lib/pci's register
 * model records every CPU store that reaches the BAR), and the pin API
 * (pin_user_pages / unpin_user_pages_dirty_lock, lib/mm/gup.ts).
 * @module
 */

import type { Mm } from "../../mm/mm.ts";
import {
  type GupPage,
  type GupResult,
  pinUserPages,
  unpinUserPagesDirtyLock,
} from "../../mm/gup.ts";
import type { PciDev } from "../../pci/device.ts";
import { barPfn } from "../../pci/pci.ts";

/** One write the device saw on a BAR: offset into the BAR, width, value. */
export interface DoorbellWrite {
  /** Virtual time of the write (ns). */
  ns: number;
  /** The BAR index. */
  bar: number;
  /** Offset of the write into the BAR. */
  offset: number;
  /** Bytes written. */
  width: number;
  /** The bytes as the device reads them: big endian, as mlx5's doorbells are (mmio_write64_be). */
  value: bigint;
}

/** The hardware side of an RDMA function (an mlx5 PF or VF). */
export interface RdmaFunction {
  /** PCI address, `0000:03:00.0`. */
  readonly bdf: string;
  /** Whether it is a virtual function (SR-IOV). */
  readonly isVF: boolean;
  /** The first pfn of the doorbell/UAR BAR (BAR 0). */
  readonly barPfn: number;
  /** Pages in BAR 0. */
  readonly barPages: number;
  /** Still on the bus and answering MMIO. */
  present(): boolean;
  /** The device's record of BAR writes, oldest first. */
  doorbells(): readonly DoorbellWrite[];
}

/** An RdmaFunction over a PCI function of lib/pci (its BAR 0 and doorbell log). */
export function pciRdmaFunction(dev: PciDev): RdmaFunction | null {
  const bar = barPfn(dev, 0);
  if (bar === null) return null;
  return {
    bdf: dev.bdf,
    isVF: dev.isVirtfn,
    barPfn: bar.pfn,
    barPages: bar.pages,
    present: () => dev.state === "present",
    doorbells: () =>
      dev.doorbells.map((d) => ({
        ns: d.ns,
        bar: d.bar,
        offset: d.offset,
        width: d.bytes.length,
        value: d.bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n),
      })),
  };
}

/**
 * mm/gup.c pin_user_pages() / unpin_user_pages() as the driver uses them:
 * ib_umem_get() pins, ib_umem_release() unpins.
 */
export interface PinApi {
  /** pin_user_pages(): pins `npages` pages from `start` with FOLL_PIN and `gupFlags`. */
  pin(mm: Mm, start: number, npages: number, gupFlags: number): GupResult;
  /** unpin_user_page_range_dirty_lock(): the pages were written (a writable umem). */
  unpin(mm: Mm, pages: readonly GupPage[], dirty: boolean): void;
}

/** The pin API on lib/mm/gup.ts. */
export const MM_PINS: PinApi = {
  pin: (mm, start, npages, flags) => pinUserPages(mm, start, npages, flags),
  unpin: (mm, pages, dirty) => unpinUserPagesDirtyLock(mm, [...pages], dirty),
};
