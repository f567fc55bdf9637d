/**
 * A device writing memory through the pages a driver pinned for it (RDMA
 * memory registration, an O_DIRECT bio): the device has the page frames,
 * not the page tables, so it writes the frames GUP returned whatever has
 * happened to the mappings since (truncate, munmap, COW). mmlab's
 * stand-in for the NIC's DMA until the PCI DMA engine exists: it uses the
 * GUP references the process holds (mm.gupHeld, taken with the
 * pin_user_pages/get_user_pages commands). Emulator-defined, no kernel
 * function.
 * @module
 */

import { EFAULT } from "../abi/errno.ts";
import type { Mm } from "./mm.ts";

/**
 * Writes `data` at user address `addr` through the held pages covering it,
 * newest hold first; stops at the first page not held. Returns the bytes
 * written, or -EFAULT when the first page is not held.
 */
export function dmaWriteHeld(mm: Mm, addr: number, data: Uint8Array): number {
  const frames = mm.machine.frames;
  let done = 0;
  while (done < data.length) {
    const at = addr + done;
    const held = heldPfn(mm, at - (at % 4096));
    if (held < 0) break;
    const off = at % 4096;
    const n = Math.min(data.length - done, 4096 - off);
    for (let i = 0; i < n; i++) frames.writeByte(held, off + i, data[done + i]);
    done += n;
  }
  return done === 0 && data.length > 0 ? -EFAULT : done;
}

/** The frame of the newest GUP hold on user page `page`, or -1 when none holds it. */
function heldPfn(mm: Mm, page: number): number {
  return mm.gupHeld.findLast((pg) => pg.addr === page)?.pfn ?? -1;
}

/**
 * The frames {@link dmaWriteHeld} would write `len` bytes at `addr`
 * through: one per page from `addr`'s, up to the first page not held.
 */
export function heldPfns(mm: Mm, addr: number, len: number): number[] {
  const pfns: number[] = [];
  for (let page = addr - (addr % 4096); page < addr + len; page += 4096) {
    const pfn = heldPfn(mm, page);
    if (pfn < 0) break;
    pfns.push(pfn);
  }
  return pfns;
}
