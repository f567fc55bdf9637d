/**
 * munmap(2): mm/mmap.c SYSCALL munmap -> __vm_munmap -> mm/vma.c
 * do_vmi_munmap / do_vmi_align_munmap. linux-mm.md §3.
 * @module
 */

import { EINVAL, ENOMEM } from "../abi/errno.ts";
import { BIG_TASK_SIZE, pageAlignU64, smallU64, TASK_SIZE, u64 } from "../abi/layout.ts";
import type { Mm } from "./mm.ts";
import type { Process } from "../proc/process.ts";
import type { Vma } from "./vma.ts";
import { splitVma, vmaRemove } from "./vma_ops.ts";
import { zapRange } from "./zap.ts";

/**
 * do_vmi_align_munmap(): removes every VMA piece in [start, end) (both page
 * aligned, start < end). Holes are fine. Returns 0 or -errno:
 * ENOMEM when the first VMA needs two splits at the map-count limit, or
 * the error of a split a special mapping refuses (EINVAL).
 */
export function doMunmap(mm: Mm, start: number, end: number): number {
  const v = mm.vmas.find(start);
  mm.machine.trace?.step(
    "do_vmi_munmap",
    v === null || v.start >= end
      ? "nothing mapped in the range"
      : `0x${start.toString(16)}-0x${end.toString(16)} from vma ${v.start.toString(16)}-${
        v.end.toString(16)
      }`,
  );
  if (v === null || v.start >= end) return 0;
  if (v.ops === null && mm.notifiers.length === 0 && mm.userfaults.size === 0) {
    // The range takes only v's head or only its tail. The split would make
    // a VMA for the part that goes and remove it at once; with no vm_ops,
    // mmu notifier or userfaultfd to see the pieces, shrinking v in place
    // leaves the same VMAs, PTEs and counts.
    const head = start <= v.start && end < v.end;
    const tail = start > v.start && end >= v.end && (v.next === null || v.next.start >= end);
    if (head || tail) {
      zapRange(mm, v, head ? v.start : start, head ? end : v.end, {
        dropMarkers: true,
        quiet: true,
      });
      if (head) mm.vmas.setRange(v, end, v.end, v.pgoff + (end - v.start) / 4096);
      else mm.vmas.setRange(v, v.start, start, v.pgoff);
      freePgtables(mm, start, end);
      return 0;
    }
  }
  if (start > v.start) {
    // Make sure map_count stays within the limit on return; the relaxed
    // __split_vma below may take it one above temporarily.
    if (end < v.end && mm.mapCount >= mm.machine.sysctl.maxMapCount) return -ENOMEM;
    const err = splitVma(mm, v, start, true, false);
    if (err) return err;
  }
  const victims: Vma[] = [];
  for (let x: Vma | null = v; x !== null && x.start < end; x = x.next) {
    if (x.end > end) {
      const err = splitVma(mm, x, end, false, false);
      if (err) return err;
    }
    victims.push(x);
  }
  // userfaultfd_unmap_prep()
  mm.userfaults.unmap(start, end);
  // No lru_add_drain() here: vms_clear_ptes() of this 6.18.44 build does
  // not drain (seen: an MADV_FREE page stays Referenced across a munmap,
  // while mlock and MADV_COLD drain it).
  const range = mm.invalidateStart(start, end, "UNMAP");
  for (const x of victims) zapRange(mm, x, x.start, x.end, { dropMarkers: true, quiet: true });
  mm.invalidateEnd(range);
  for (const x of victims) vmaRemove(mm, x);
  freePgtables(mm, start, end);
  return 0;
}

const PMD_SIZE = 0x200000;

/**
 * mm/memory.c: free_pgtables() -> free_pgd_range() after an unmap of
 * [start, end): page tables go only where their whole span lies between
 * the neighbouring VMAs (floor: the previous VMA's end; ceiling: the next
 * one's start). A PTE table whose 2 MiB also holds another VMA stays, even
 * empty (fault-around can then map into it).
 */
function freePgtables(mm: Mm, start: number, end: number): void {
  const next = mm.vmas.find(start);
  const prev = next !== null ? next.prev : mm.vmas.last;
  const floor = prev !== null ? prev.end : 0;
  const ceiling = next !== null ? next.start - (next.start % PMD_SIZE) : Infinity;
  const lo = Math.max(start - (start % PMD_SIZE), Math.ceil(floor / PMD_SIZE) * PMD_SIZE);
  const hi = Math.min(Math.ceil(end / PMD_SIZE) * PMD_SIZE, ceiling);
  if (hi > lo) mm.pt.freeEmpty(lo / 4096, hi / 4096);
}

/** munmap(addr, len): linux-mm.md §3 check order. */
export function sysMunmap(p: Process, addrArg: bigint | number, lenArg: bigint | number): number {
  const an = smallU64(addrArg), ln = smallU64(lenArg);
  if (an >= 0 && ln >= 0) {
    // The same checks in number arithmetic: below 2^48 nothing wraps, and
    // the aligned length is 0 only for a length of 0.
    if (an % 4096 !== 0 || an > TASK_SIZE || ln > TASK_SIZE - an || ln === 0) return -EINVAL;
    return doMunmap(p.mm, an, an + Math.ceil(ln / 4096) * 4096);
  }
  const addr = u64(addrArg), len = u64(lenArg);
  if ((addr & 0xfffn) !== 0n || addr > BIG_TASK_SIZE || len > BIG_TASK_SIZE - addr) return -EINVAL;
  const alen = pageAlignU64(len);
  if (alen === 0n) return -EINVAL;
  return doMunmap(p.mm, Number(addr), Number(addr + alen));
}
