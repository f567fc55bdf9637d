/**
 * `check`'s part for secondary MMUs: the interval-notifier sequence rules
 * (mm/mmu_notifier.c, as the errata state them) and the device page
 * tables of HMM mirrors, which must never point at a frame that is no
 * longer mapped at that address (an invalidation that did not reach them).
 * Between commands no invalidation runs, so every count is at rest.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Mm } from "../mm/mm.ts";
import { findNotifierSubscriptions } from "../mm/mmu_notifier.ts";
import { mirrorOf } from "../mm/hmm_mirror.ts";
import { PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from "../mm/pagetable.ts";

const hex = (n: number) => `0x${n.toString(16)}`;

/** Appends what is wrong with the notifier state of `mm` (`where` names it). */
export function checkNotifiers(_m: Machine, mm: Mm, where: string, errs: string[]): void {
  const subs = findNotifierSubscriptions(mm);
  if (subs === null) return;
  if (subs.activeInvalidateRanges !== 0) {
    errs.push(`${where}: active_invalidate_ranges ${subs.activeInvalidateRanges} between calls`);
  }
  if (subs.invalidateSeq % 2 !== 0 || subs.invalidateSeq < 2) {
    errs.push(
      `${where}: invalidate_seq ${subs.invalidateSeq} odd (or below 2) with no invalidation`,
    );
  }
  if (subs.deferred.length !== 0) {
    errs.push(`${where}: ${subs.deferred.length} deferred inserts/removes`);
  }
  let prev = -1;
  for (const s of subs.itree) {
    if (s.start < prev) errs.push(`${where}: interval tree out of order at subscription ${s.id}`);
    prev = s.start;
    // Every value a subscription holds is odd: global - 1 at insert, an invalidation's cur_seq after.
    if (s.invalidateSeq % 2 !== 1 || s.invalidateSeq >= subs.invalidateSeq) {
      errs.push(
        `${where}: subscription ${s.id} seq ${s.invalidateSeq} (global ${subs.invalidateSeq})`,
      );
    }
    const mir = mirrorOf(s);
    if (mir === null) continue;
    for (const [iova, e] of mir.devicePageTable) {
      const what = `${where}: ${s.owner} device PTE ${hex(iova)} -> ${hex(e.pfn)}`;
      if (iova < s.start || iova > s.last) {
        errs.push(`${what} outside its interval`);
        continue;
      }
      const bits = mm.pt.bitsAt(iova / 4096);
      if (!(bits & PTE_PRESENT) || (bits & PTE_PROTNONE)) {
        errs.push(`${what}: nothing is mapped there any more`);
      } else if (mm.pt.pfnAt(iova / 4096) !== e.pfn) {
        errs.push(`${what}: the CPU maps ${hex(mm.pt.pfnAt(iova / 4096))} there`);
      } else if (e.write && !(bits & PTE_WRITE)) {
        errs.push(`${what}: writable, the CPU PTE is not`);
      }
    }
  }
}
