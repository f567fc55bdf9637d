/**
 * The memory counters that /proc shows, computed from the VMAs, the page
 * table and the frame table when asked, so they cannot drift from what
 * they count (the kernel keeps most of them as running counters; the
 * values are the same whenever every change goes through the paths that
 * update them):
 *
 * - per VMA, fs/proc/task_mmu.c smap_gather_stats() -> smaps_pte_entry()
 *   -> smaps_account(): Rss, Pss, Shared/Private Clean/Dirty, Referenced
 *   (a young PTE or PG_referenced), Anonymous, Locked ({@link smapGatherStats});
 * - per mm, the RSS counters MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES
 *   ({@link mmRss}) and mm/mmap.c vm_stat_account()'s total_vm, exec_vm,
 *   stack_vm, data_vm, plus locked_vm and pinned_vm ({@link vmCounters});
 * - mm_pgtables_bytes() ({@link pgtablesBytes}).
 *
 * Sizes are in bytes unless a name says pages. PSS sums are fixed point,
 * scaled by 2^{@link PSS_SHIFT}, like the kernel's u64 accumulators.
 * @module
 */

import type { Mm } from "../mm/mm.ts";
import type { Vma } from "../mm/vma.ts";
import { PTE_DIRTY, PTE_YOUNG } from "../mm/pagetable.ts";
import { PG_ANON, PG_DIRTY, PG_REFERENCED, PG_SHMEM } from "../phys/frames.ts";
import { normalPfn } from "../mm/normal_page.ts";
import {
  has,
  VM_EXEC,
  VM_LOCKED,
  VM_PFNMAP,
  VM_SHADOW_STACK,
  VM_SHARED,
  VM_STACK,
  VM_WRITE,
} from "../mm/vm_flags.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

/** fs/proc/task_mmu.c: PSS_SHIFT, the fixed-point shift of the PSS sums. */
export const PSS_SHIFT = 12;
const PSS_ONE = 2 ** PSS_SHIFT;
/** `PAGE_SIZE << PSS_SHIFT`: one whole page of PSS. */
const PAGE_PSS = PAGE_SIZE * PSS_ONE;

/** fs/proc/task_mmu.c: struct mem_size_stats (the fields mmlab can have). */
export interface MemSizeStats {
  resident: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  referenced: number;
  anonymous: number;
  /** Anonymous pages that are clean and not swap-backed (MADV_FREE); mmlab has none yet. */
  lazyfree: number;
  /** Fixed point (<< PSS_SHIFT). */
  pss: number;
  pssAnon: number;
  pssFile: number;
  pssShmem: number;
  pssDirty: number;
  pssLocked: number;
}

/** An all-zero {@link MemSizeStats}. */
export function emptyStats(): MemSizeStats {
  return {
    resident: 0,
    sharedClean: 0,
    sharedDirty: 0,
    privateClean: 0,
    privateDirty: 0,
    referenced: 0,
    anonymous: 0,
    lazyfree: 0,
    pss: 0,
    pssAnon: 0,
    pssFile: 0,
    pssShmem: 0,
    pssDirty: 0,
    pssLocked: 0,
  };
}

/** fs/proc/task_mmu.c: smaps_page_accumulate(). */
function accumulate(
  mss: MemSizeStats,
  flags: number,
  size: number,
  pss: number,
  dirty: boolean,
  locked: boolean,
  priv: boolean,
): void {
  mss.pss += pss;
  if (flags & PG_ANON) mss.pssAnon += pss;
  else if (flags & PG_SHMEM) mss.pssShmem += pss;
  else mss.pssFile += pss;
  if (locked) mss.pssLocked += pss;
  if (dirty || (flags & PG_DIRTY)) {
    mss.pssDirty += pss;
    if (priv) mss.privateDirty += size;
    else mss.sharedDirty += size;
  } else {
    if (priv) mss.privateClean += size;
    else mss.sharedClean += size;
  }
}

/**
 * fs/proc/task_mmu.c: smap_gather_stats() for one VMA: walks its present
 * PTEs (smaps_pte_entry) and accounts each normal page (smaps_account). A
 * page with refcount 1 is private; otherwise its mapcount decides: 2 or
 * more is shared and adds PAGE_SIZE/mapcount to Pss.
 */
export function smapGatherStats(v: Vma, into: MemSizeStats = emptyStats()): MemSizeStats {
  const mss = into;
  // mm/pagewalk.c walk_page_test(): VM_PFNMAP VMAs are not walked.
  if (v.flags & VM_PFNMAP) return mss;
  const mm = v.mm;
  const frames = mm.machine.frames;
  const locked = (v.flags & VM_LOCKED) !== 0;
  mm.pt.forEachTable(v.start / PAGE_SIZE, v.end / PAGE_SIZE, (t, _base, lo, hi) => {
    const bits = t.bits, pfns = t.pfn;
    for (let i = lo; i < hi; i++) {
      const b = bits[i];
      // smaps_pte_entry(): pte_present() (protnone included), vm_normal_page().
      const pfn = normalPfn(mm, b, pfns[i]);
      if (pfn < 0) continue;
      const young = (b & PTE_YOUNG) !== 0;
      const dirty = (b & PTE_DIRTY) !== 0;
      const f = frames.flags[pfn];
      // smaps_account()
      if (f & PG_ANON) {
        mss.anonymous += PAGE_SIZE;
        // !folio_test_swapbacked(): no such anon page in mmlab yet.
      }
      mss.resident += PAGE_SIZE;
      // A young PTE, or a page with PG_referenced (folio_test_referenced).
      if (young || (f & PG_REFERENCED)) mss.referenced += PAGE_SIZE;
      if (frames.refcount[pfn] === 1) {
        accumulate(mss, f, PAGE_SIZE, PAGE_PSS, dirty, locked, true);
        continue;
      }
      const mapcount = frames.mapcount[pfn];
      const pss = mapcount >= 2 ? Math.floor(PAGE_PSS / mapcount) : PAGE_PSS;
      accumulate(mss, f, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
    }
  });
  return mss;
}

/** The RSS counters of an mm, in pages (include/linux/mm_types.h MM_*PAGES). */
export interface RssCounters {
  /** MM_ANONPAGES */
  anon: number;
  /** MM_FILEPAGES */
  file: number;
  /** MM_SHMEMPAGES */
  shmem: number;
}

/**
 * get_mm_counter() for MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES: every
 * present PTE of a normal page counts once, by mm_counter(): anonymous,
 * else swap-backed (shmem), else file.
 */
export function mmRss(mm: Mm): RssCounters {
  const r: RssCounters = { anon: 0, file: 0, shmem: 0 };
  const frames = mm.machine.frames;
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    mm.pt.forEachTable(v.start / PAGE_SIZE, v.end / PAGE_SIZE, (t, _base, lo, hi) => {
      for (let i = lo; i < hi; i++) {
        const pfn = normalPfn(mm, t.bits[i], t.pfn[i]);
        if (pfn < 0) continue;
        const f = frames.flags[pfn];
        if (f & PG_ANON) r.anon++;
        else if (f & PG_SHMEM) r.shmem++;
        else r.file++;
      }
    });
  }
  return r;
}

/** get_mm_rss(): anon + file + shmem pages. */
export function mmRssPages(mm: Mm): number {
  const r = mmRss(mm);
  return r.anon + r.file + r.shmem;
}

/** mm/internal.h: is_exec_mapping(): executable, not writable, not stack. */
export function isExecMapping(flags: number): boolean {
  return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC;
}

/** mm/internal.h: is_stack_mapping(): VM_STACK (VM_GROWSDOWN here) or a shadow stack. */
export function isStackMapping(flags: number): boolean {
  return (flags & VM_STACK) === VM_STACK || has(flags, VM_SHADOW_STACK);
}

/** mm/internal.h: is_data_mapping(): private, writable, not stack. */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE;
}

/** The mm_struct VM counters, in pages. */
export interface VmCounters {
  totalVm: number;
  lockedVm: number;
  pinnedVm: number;
  dataVm: number;
  execVm: number;
  stackVm: number;
}

/**
 * mm/mmap.c vm_stat_account() summed over the VMAs (total_vm, and exec_vm,
 * stack_vm or data_vm by the first class that fits); locked_vm as
 * mm/mlock.c mlock_fixup() and mmap's MAP_LOCKED keep it (the pages of
 * VM_LOCKED VMAs: special VMAs never get VM_LOCKED); pinned_vm as kept.
 */
export function vmCounters(mm: Mm): VmCounters {
  const c: VmCounters = {
    totalVm: 0,
    lockedVm: 0,
    pinnedVm: mm.pinnedVm,
    dataVm: 0,
    execVm: 0,
    stackVm: 0,
  };
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    const n = v.pages;
    c.totalVm += n;
    if (v.flags & VM_LOCKED) c.lockedVm += n;
    if (isExecMapping(v.flags)) c.execVm += n;
    else if (isStackMapping(v.flags)) c.stackVm += n;
    else if (isDataMapping(v.flags)) c.dataVm += n;
  }
  return c;
}

const PGD_SPAN = 2 ** 27; // pages under one PGD entry
const PUD_SPAN = 2 ** 18; // pages under one PUD entry
const USER_PGDS = 256; // PGD entries of the user half

/** Page-table pages of an mm below the PGD: PUD, PMD and PTE tables. */
export interface PgtableCounts {
  puds: number;
  pmds: number;
  ptes: number;
}

/** Counts the PUD, PMD and PTE tables of an mm's page table. */
export function pgtableCounts(mm: Mm): PgtableCounts {
  const pt = mm.pt;
  let puds = 0, pmds = 0;
  for (let g = 0; g < USER_PGDS; g++) {
    if (pt.walk(g * PGD_SPAN).levels < 2) continue;
    puds++;
    for (let u = 0; u < 512; u++) if (pt.walk(g * PGD_SPAN + u * PUD_SPAN).levels >= 3) pmds++;
  }
  return { puds, pmds, ptes: pt.tables };
}

/**
 * include/linux/mm.h mm_pgtables_bytes(): the PTE, PMD and PUD tables of
 * the mm (mm_inc_nr_ptes/pmds/puds); the PGD is not counted.
 */
export function pgtablesBytes(mm: Mm): number {
  const c = pgtableCounts(mm);
  return (c.puds + c.pmds + c.ptes) * PAGE_SIZE;
}
