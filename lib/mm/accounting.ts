/**
 * Overcommit accounting: mm/util.c __vm_enough_memory(), the three modes
 * of vm.overcommit_memory. Committed_AS is computed from the VM_ACCOUNT
 * VMAs of every live process when strict mode needs it.
 * @module
 */

import type { Mm } from "./mm.ts";
import { VM_ACCOUNT } from "./vm_flags.ts";
import type { Inode } from "../fs/inode.ts";

/** Pages of RAM the kernel would call totalram_pages(). */
export function totalRamPages(mm: Mm): number {
  const f = mm.machine.frames;
  return f.nframes - f.reservedFrames;
}

/**
 * Committed_AS in pages (vm_committed_as): every VM_ACCOUNT page of every
 * live process, plus each shmem object charged by shmem_acct_size() once
 * (a shared anonymous object lives as long as a VMA maps it).
 */
export function committedPages(mm: Mm): number {
  const seen = new Set<Mm>();
  const objects = new Set<Inode>();
  let n = 0;
  for (const p of mm.machine.procs.values()) {
    if (!p.alive || seen.has(p.mm)) continue;
    seen.add(p.mm);
    for (let v = p.mm.vmas.first; v !== null; v = v.next) {
      if (v.flags & VM_ACCOUNT) n += v.pages;
      const inode = v.file?.inode;
      if (inode !== undefined && inode.shmemAcctPages > 0 && !objects.has(inode)) {
        objects.add(inode);
        n += inode.shmemAcctPages;
      }
    }
  }
  return n;
}

/** The CommitLimit in pages (strict mode): RAM * overcommit_ratio% (no swap). */
export function commitLimit(mm: Mm): number {
  return Math.floor(totalRamPages(mm) * mm.machine.sysctl.overcommitRatio / 100);
}

/** __vm_enough_memory(): may `pages` more be committed? */
export function vmEnoughMemory(mm: Mm, pages: number): boolean {
  switch (mm.machine.sysctl.overcommitMemory) {
    case 1:
      return true;
    case 0:
      return pages <= totalRamPages(mm);
    default:
      return committedPages(mm) + pages <= commitLimit(mm);
  }
}
