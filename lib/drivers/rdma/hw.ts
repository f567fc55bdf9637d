/**
 * What the RDMA driver needs from the hardware and from mm, behind a small
 * seam: a PCI function with a doorbell BAR (its pfns, whether it still
 * answers, and the device's log of doorbell writes), and the pin API
 * (pin_user_pages / unpin_user_pages). lib/drivers/rdma talks to these
 * interfaces only; the PCI model (lib/pci) and mm's GUP implement them.
 * @module
 */

import type { Mm } from "../../mm/mm.ts";
import { type GupPage, type GupResult, pinUserPages, releaseUserPage } from "../../mm/gup.ts";

/** One write the device saw on a BAR: offset into the BAR, width, value. */
export interface DoorbellWrite {
  /** Virtual time of the write (ns). */
  ns: number;
  bar: number;
  offset: number;
  width: number;
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
  /** A CPU store reached the BAR at `offset` (MMIO write). */
  mmioWrite(offset: number, width: number, value: bigint, ns: number): void;
}

/**
 * mm/gup.c pin_user_pages() / unpin_user_pages() as the driver uses them:
 * ib_umem_get() pins, ib_umem_release() unpins.
 */
export interface PinApi {
  pin(mm: Mm, start: number, npages: number, gupFlags: number): GupResult;
  unpin(mm: Mm, pages: readonly GupPage[]): void;
}

/** The pin API on lib/mm/gup.ts. */
export const MM_PINS: PinApi = {
  pin: (mm, start, npages, flags) => pinUserPages(mm, start, npages, flags),
  unpin: (mm, pages) => {
    for (const pg of pages) releaseUserPage(mm, pg);
  },
};
