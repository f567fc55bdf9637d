/**
 * vfio's part of `check` (lib/check/invariants.ts): what must hold
 * between vfio-pci's bookkeeping and the mm.
 *
 * - A device with no open fd has no BAR mapping left (a mapping holds
 *   the device file, and so the device, open).
 * - Every BAR mapping is linked in its mm, and every present PTE in it
 *   maps the BAR page at its own offset (vma_to_pfn + index).
 * - 5.8-6.9 vma_list holds only live mappings of the device.
 * - A device waiting to be removed is still open (else removal is done).
 * - The container of a group holds it; pins are the DMA mappings' pages
 *   (their count is in the global pin check).
 * @module
 */

import type { Machine } from "../../machine.ts";
import { vmaToPfn } from "./mmap.ts";

/** The violations found (empty when everything holds). */
export function vfioInvariants(m: Machine): string[] {
  const errs: string[] = [];
  for (const v of m.vfio.devices.values()) {
    const who = `vfio ${v.pdev.bdf}`;
    if (v.openCount === 0 && v.inode.mappings.size > 0) {
      errs.push(`${who}: closed but ${v.inode.mappings.size} BAR mapping(s) remain`);
    }
    if (v.removal !== null && v.openCount === 0) errs.push(`${who}: removal waits for nothing`);
    for (const vma of v.vmaList) {
      if (!v.inode.mappings.has(vma)) errs.push(`${who}: vma_list holds an unmapped ${vma}`);
    }
    for (const vma of v.inode.mappings) {
      if (vma.mm.vmas.find(vma.start) !== vma) errs.push(`${who}: ${vma} is not linked`);
      const first = vmaToPfn(vma);
      for (let a = vma.start; a < vma.end; a += 4096) {
        const vpn = a / 4096;
        if (vma.mm.pt.bitsAt(vpn) === 0) continue;
        const want = first + (a - vma.start) / 4096;
        const got = vma.mm.pt.pfnAt(vpn);
        if (got !== want) errs.push(`${who}: PTE at ${a.toString(16)} maps ${got}, not ${want}`);
      }
    }
    const c = v.group.container;
    if (c !== null && !c.groups.has(v.group)) errs.push(`${who}: container lost its group`);
  }
  return errs;
}
