/**
 * madvise(2): mm/madvise.c do_madvise() of Linux 6.18 (linux-mm.md §6).
 *
 * 1. madvise_should_skip(): the advice must be compiled in, `start` page
 *    aligned, PAGE_ALIGN(len) must not wrap and `start + len` must not
 *    overflow (EINVAL for each); a zero length then returns 0.
 * 2. MADV_POPULATE_READ/WRITE go through GUP (faultin_page_range()); every
 *    other advice walks the VMAs (madvise_walk_vmas()): a hole records
 *    ENOMEM and the walk goes on, an error from the advice ends it at once.
 * 3. Flag-changing advices use {@link vmaModify} (merge first, split only if
 *    that fails); ENOMEM from a split at the map-count limit is reported as
 *    EAGAIN, a special mapping's may_split refusal as EINVAL.
 *
 * This build (6.18.44) has CONFIG_KSM, CONFIG_TRANSPARENT_HUGEPAGE (THP
 * "madvise"), CONFIG_SWAP (but no swap device), CONFIG_PT_RECLAIM, and no
 * CONFIG_MEMORY_FAILURE (MADV_HWPOISON/SOFT_OFFLINE are EINVAL: policy
 * config.MEMORY_FAILURE=n; with y MADV_HWPOISON runs memory_failure.ts), checked
 * in /proc/config.gz. It also carries VM_MAYBE_GUARD (`gu`, mainline 6.19).
 * @module
 */

import {
  EACCES,
  EAGAIN,
  EBADF,
  EFAULT,
  EHWPOISON,
  EINVAL,
  ENOMEM,
  EOPNOTSUPP,
} from "../abi/errno.ts";
import {
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DODUMP,
  MADV_DOFORK,
  MADV_DONTDUMP,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_DONTNEED_LOCKED,
  MADV_FREE,
  MADV_GUARD_INSTALL,
  MADV_GUARD_REMOVE,
  MADV_HUGEPAGE,
  MADV_HWPOISON,
  MADV_KEEPONFORK,
  MADV_MERGEABLE,
  MADV_NOHUGEPAGE,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_REMOVE,
  MADV_SEQUENTIAL,
  MADV_UNMERGEABLE,
  MADV_USERFAULT,
  MADV_WILLNEED,
  MADV_WIPEONFORK,
} from "../abi/mman.ts";
import { pageAlignU64, s32, u64, U64_MAX } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import type { Inode } from "../fs/inode.ts";
import {
  any,
  clear,
  combine,
  set,
  VM_ACCESS_FLAGS,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_DROPPABLE,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_MAYBE_GUARD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MERGEABLE,
  VM_MIXEDMAP,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_READ,
  VM_SEQ_READ,
  VM_SHADOW_STACK,
  VM_SHARED,
  VM_SPECIAL,
  VM_USERFAULT,
  VM_WIPEONFORK,
  VM_WRITE,
} from "./vm_flags.ts";
import type { KnobValue } from "../policy.ts";
import { vmaModify } from "./vma_ops.ts";
import { zapRange } from "./zap.ts";
import { faultinVmaRange, populateThen } from "./populate.ts";
import { anonVmaPrepare } from "./fault.ts";
import {
  MARKER_GUARD,
  MARKER_POISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_WRITE,
  PTE_YOUNG,
  pteClear,
  pteModify,
} from "./pagetable.ts";
import {
  PG_ANON,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PG_LRU_DEACTIVATE,
  PG_REFERENCED,
} from "../phys/frames.ts";
import { VM_FAULT_HWPOISON, VM_FAULT_OOM } from "./vm_ops.ts";
import { forcePageCacheRa } from "./readahead.ts";
import { punchHole } from "./truncate.ts";
import { cachePageUnevictable, deactivate, lruAddDrain, markLazyfree } from "./swap.ts";
import { type ReclaimCandidate, reclaimPages } from "./vmscan.ts";
import { canRevealPagecache } from "./mincore.ts";
import { madviseInjectError } from "./memory_failure.ts";

/** Policy `config.MEMORY_FAILURE`: whether the kernel was built with it. */
const MEMORY_FAILURE: Record<KnobValue<"config.MEMORY_FAILURE">, boolean> = { n: false, y: true };

const PMD_SIZE = 0x200000;
/** An end address past every user mapping, standing for any u64 end above it. */
const FAR_END = 2 ** 48;

/**
 * madvise_behavior_valid() for this kernel's configuration (MADV_HWPOISON
 * only with config.MEMORY_FAILURE=y).
 */
function behaviorValid(behavior: number, memoryFailure: boolean): boolean {
  switch (behavior) {
    case MADV_HWPOISON:
      return memoryFailure;
    case MADV_DOFORK:
    case MADV_DONTFORK:
    case MADV_NORMAL:
    case MADV_SEQUENTIAL:
    case MADV_RANDOM:
    case MADV_REMOVE:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    // CONFIG_KSM
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    // CONFIG_TRANSPARENT_HUGEPAGE
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_COLLAPSE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_GUARD_INSTALL:
    case MADV_GUARD_REMOVE:
      // MADV_SOFT_OFFLINE (CONFIG_MEMORY_FAILURE too) is not modelled: EINVAL.
      return true;
    default:
      return false;
  }
}

/**
 * madvise(start, len, advice). Returns 0 or -errno. `start` and `len` are
 * u64 registers; `advice` is an int.
 */
export function sysMadvise(
  p: Process,
  startArg: bigint | number,
  lenArg: bigint | number,
  adviceArg: bigint | number,
): number {
  const mm = p.mm;
  const start = u64(startArg), lenIn = u64(lenArg);
  const behavior = s32(adviceArg);
  // 1. madvise_should_skip() -> is_valid_madvise()
  if (!behaviorValid(behavior, MEMORY_FAILURE[p.machine.policy("config.MEMORY_FAILURE")])) {
    return -EINVAL;
  }
  // Advice 18/19 are MADV_WIPEONFORK/KEEPONFORK, or under uffd.madv18 =
  // userfault-rfc the 2014 RFC's MADV_USERFAULT/NOUSERFAULT (ADVICE_18).
  if ((start & 0xfffn) !== 0n) return -EINVAL;
  const len = pageAlignU64(lenIn);
  // len rounded up from a huge value to 0
  if (lenIn !== 0n && len === 0n) return -EINVAL;
  if (start + len > U64_MAX) return -EINVAL;
  // 2. nothing to do
  if (len === 0n) return 0;
  // madvise_inject_error(): before any VMA walk.
  if (behavior === MADV_HWPOISON) return madviseInjectError(p, Number(start), Number(start + len));
  // Above TASK_SIZE there are no VMAs: any end beyond it behaves alike.
  const s = start >= BigInt(FAR_END) ? FAR_END : Number(start);
  const e = start + len >= BigInt(FAR_END) ? FAR_END : Number(start + len);
  // 3. madvise_do_behavior()
  if (behavior === MADV_POPULATE_READ || behavior === MADV_POPULATE_WRITE) {
    const write = behavior === MADV_POPULATE_WRITE;
    // In steps where asked (populate.ts populateThen); stopped, it is -EINTR.
    return populateThen(p, s, e, true, (a, b) => madvisePopulate(mm, a, b, write), (err) => err);
  }
  return walkVmas(p, s, e, behavior);
}

/** The result of one advice on one VMA piece: -errno, or the VMA now covering it. */
type Step = number | Vma;

/** mm/madvise.c: madvise_walk_vmas(). */
function walkVmas(p: Process, start: number, lastEnd: number, behavior: number): number {
  const mm = p.mm;
  let unmappedError = 0;
  let cur = start;
  let vma = mm.vmas.find(cur);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (cur < vma.start) {
      // A gap in the range: remember it, carry on.
      unmappedError = -ENOMEM;
      cur = vma.start;
      if (cur >= lastEnd) break;
    }
    let end = Math.min(vma.end, lastEnd);
    const r = vmaBehavior(p, vma, cur, end, behavior);
    if (typeof r === "number") {
      if (r !== 0) return r;
      // The advice kept no VMA reference (lock dropped): look up from `end`.
      if (end >= lastEnd) break;
      vma = mm.vmas.find(end);
      cur = end;
      continue;
    }
    if (end < r.end) end = r.end;
    if (end >= lastEnd) break;
    vma = mm.vmas.find(r.end);
    cur = end;
  }
  return unmappedError;
}

/** mm/madvise.c: madvise_vma_behavior(): one advice on [start, end) of `vma`. */
function vmaBehavior(p: Process, vma: Vma, start: number, end: number, behavior: number): Step {
  const mm = p.mm;
  mm.machine.trace?.step(
    "madvise_walk_vmas → madvise_vma_behavior",
    `advice ${behavior} on 0x${start.toString(16)}-0x${end.toString(16)} of vma ${
      vma.start.toString(16)
    }-${vma.end.toString(16)}`,
  );
  // Sealed VMAs (can_modify_vma_madv(): EPERM for destructive advice on a
  // read-only anonymous sealed VMA) do not exist yet: there is no mseal.
  let f = vma.flags;
  switch (behavior) {
    case MADV_REMOVE:
      return madviseRemove(p, vma, start, end);
    case MADV_WILLNEED:
      return madviseWillneed(p, vma, start, end);
    case MADV_COLD:
      return madviseColdOrPageout(p, vma, start, end, false);
    case MADV_PAGEOUT:
      return madviseColdOrPageout(p, vma, start, end, true);
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
      return madviseDontneedFree(mm, vma, start, end, behavior);
    case MADV_COLLAPSE:
      return madviseCollapse(mm, vma, start, end);
    case MADV_GUARD_INSTALL:
      return guardInstall(mm, vma, start, end);
    case MADV_GUARD_REMOVE:
      return guardRemove(mm, vma, start, end);
    // The advices below change vm_flags through madvise_update_vma().
    case MADV_NORMAL:
      f = clear(f, VM_RAND_READ | VM_SEQ_READ);
      break;
    case MADV_SEQUENTIAL:
      f = set(clear(f, VM_RAND_READ), VM_SEQ_READ);
      break;
    case MADV_RANDOM:
      f = set(clear(f, VM_SEQ_READ), VM_RAND_READ);
      break;
    case MADV_DONTFORK:
      f = set(f, VM_DONTCOPY);
      break;
    case MADV_DOFORK:
      if (f & VM_IO) return -EINVAL;
      f = clear(f, VM_DONTCOPY);
      break;
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
      return ADVICE_18[mm.machine.policy("uffd.madv18")](mm, vma, start, end, behavior);
    default:
      return vmaBehaviorFlags(p, vma, start, end, behavior);
  }
  return updateVma(mm, vma, start, end, f);
}

/**
 * What advice 18/19 do, per uffd.madv18: 6.18's MADV_WIPEONFORK/KEEPONFORK,
 * or the 2014 RFC's MADV_USERFAULT/NOUSERFAULT ([PATCH 08/17] "mm: madvise
 * MADV_USERFAULT": `if (vma->vm_ops) return -EINVAL`, so only private
 * anonymous memory; sets/clears VM_USERFAULT).
 */
const ADVICE_18: Record<
  KnobValue<"uffd.madv18">,
  (mm: Mm, vma: Vma, start: number, end: number, behavior: number) => Step
> = {
  "wipeonfork": (mm, vma, start, end, behavior) => {
    let f = vma.flags;
    if (behavior === MADV_WIPEONFORK) {
      // Only private anonymous memory can be wiped (special mappings count).
      if (vma.file !== null || (f & VM_SHARED)) return -EINVAL;
      f = set(f, VM_WIPEONFORK);
    } else {
      if (any(f, VM_DROPPABLE)) return -EINVAL;
      f = clear(f, VM_WIPEONFORK);
    }
    return updateVma(mm, vma, start, end, f);
  },
  "userfault-rfc": (mm, vma, start, end, behavior) => {
    // madvise_vma(): "VM_USERFAULT is only supported by anonymous memory".
    if (!vma.isAnonymous || any(vma.flags, VM_SHARED | VM_SPECIAL)) return -EINVAL;
    const f = behavior === MADV_USERFAULT
      ? set(vma.flags, VM_USERFAULT)
      : clear(vma.flags, VM_USERFAULT);
    return updateVma(mm, vma, start, end, f);
  },
};

/** A flag-changing advice on the VMA continues here (the rest of vmaBehavior). */
function vmaBehaviorFlags(
  p: Process,
  vma: Vma,
  start: number,
  end: number,
  behavior: number,
): Step {
  const mm = p.mm;
  let f = vma.flags;
  switch (behavior) {
    case MADV_DONTDUMP:
      f = set(f, VM_DONTDUMP);
      break;
    case MADV_DODUMP:
      if ((!(f & VM_HUGETLB) && (f & VM_SPECIAL)) || any(f, VM_DROPPABLE)) return -EINVAL;
      f = clear(f, VM_DONTDUMP);
      break;
    case MADV_MERGEABLE:
      // mm/ksm.c: ksm_madvise(): incompatible VMAs ignore the advice.
      if (!any(f, VM_MERGEABLE) && ksmCompatible(vma)) f = set(f, VM_MERGEABLE);
      break;
    case MADV_UNMERGEABLE:
      // No page is ever KSM-merged here, so there is nothing to unmerge.
      f = clear(f, VM_MERGEABLE);
      break;
    case MADV_HUGEPAGE:
      // mm/khugepaged.c: hugepage_madvise(): any VMA, special ones included.
      f = set(clear(f, VM_NOHUGEPAGE), VM_HUGEPAGE);
      break;
    case MADV_NOHUGEPAGE:
      f = set(clear(f, VM_HUGEPAGE), VM_NOHUGEPAGE);
      break;
  }
  return updateVma(mm, vma, start, end, f);
}

/** madvise_update_vma(): no change means no split. */
function updateVma(mm: Mm, vma: Vma, start: number, end: number, f: number): Step {
  if (f === vma.flags) return vma;
  const r = vmaModify(mm, vma, start, end, { flags: f });
  // "madvise() returns EAGAIN if kernel resources ... are temporarily unavailable."
  if (typeof r === "number") return r === -ENOMEM ? -EAGAIN : r;
  return r;
}

/** mm/ksm.c: vma_ksm_compatible() (this kernel has no DAX filesystems mounted). */
function ksmCompatible(vma: Vma): boolean {
  return !any(
    vma.flags,
    combine(
      VM_SHARED,
      VM_MAYSHARE,
      VM_PFNMAP,
      VM_IO,
      VM_DONTEXPAND,
      VM_HUGETLB,
      VM_MIXEDMAP,
      VM_DROPPABLE,
    ),
  ) && !isDax(vma);
}

/** include/linux/fs.h vma_is_dax(): IS_DAX(file inode). */
function isDax(vma: Vma): boolean {
  return vma.file !== null && vma.file.inode.dax;
}

/**
 * mm/madvise.c: madvise_dontneed_free() with madvise_dontneed_free_valid_vma(),
 * madvise_dontneed_single_vma() and madvise_free_single_vma().
 */
function madviseDontneedFree(
  mm: Mm,
  vma: Vma,
  start: number,
  end: number,
  behavior: number,
): Step {
  if (vma.flags & VM_HUGETLB) {
    // Only DONTNEED on huge-page aligned ranges; the end is rounded down.
    if (behavior === MADV_FREE) return -EINVAL;
    if (start % PMD_SIZE !== 0) return -EINVAL;
    end -= end % PMD_SIZE;
  } else {
    let forbidden = VM_PFNMAP;
    if (behavior !== MADV_DONTNEED_LOCKED) forbidden |= VM_LOCKED;
    if (vma.flags & forbidden) return -EINVAL;
  }
  if (start === end) return vma;
  if (behavior === MADV_FREE && !vma.isAnonymous) return -EINVAL;
  // userfaultfd_remove()
  mm.userfaults.remove(vma, start, end);
  if (behavior === MADV_FREE) {
    // madvise_free_single_vma() drains this CPU's LRU batches first: the
    // pages a previous VMA of the same call queued lose PG_referenced now.
    lruAddDrain(mm.machine);
    lazyfree(mm, start, end);
    return vma;
  }
  // zap_page_range_single_batched() with even_cows: COW copies in private
  // file mappings go too; guard markers stay.
  zapRange(mm, vma, start, end, { dropMarkers: false, event: "CLEAR" });
  // CONFIG_PT_RECLAIM: PTE tables that a zap covered whole and left empty are freed.
  const lo = Math.ceil(start / PMD_SIZE) * PMD_SIZE;
  const hi = Math.floor(end / PMD_SIZE) * PMD_SIZE;
  if (hi > lo) mm.pt.freeEmpty(lo / 4096, hi / 4096);
  return vma;
}

/**
 * madvise_free_pte_range(): pages stay mapped, but become clean and old so
 * reclaim may drop them instead of swapping (lazyfree). mmlab has no memory
 * pressure, so a lazyfree page keeps its data (linux-mm.md §6.2, A7c)
 * until MADV_PAGEOUT reclaims it while clean ({@link reclaimPages}); a
 * later write cancels the free. Anonymous pages
 * go on the lazyfree batch (folio_mark_lazyfree). Poison markers are
 * cleared; guard markers stay.
 */
function lazyfree(mm: Mm, start: number, end: number): void {
  const frames = mm.machine.frames;
  const range = mm.invalidateStart(start, end, "CLEAR");
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if (b === 0) continue;
      if (!(b & PTE_PRESENT)) {
        if ((b & PTE_MARKER) && t.pfn[i] === MARKER_POISON) {
          pteClear(t, i);
        }
        continue;
      }
      if (b & PTE_SPECIAL) continue;
      const pfn = t.pfn[i];
      if (frames.flags[pfn] & PG_DIRTY) {
        // A shared page cannot be cleaned for everybody.
        if (frames.mapcount[pfn] !== 1) continue;
        frames.flags[pfn] &= ~PG_DIRTY;
      }
      pteModify(t, i, b & ~(PTE_DIRTY | PTE_YOUNG));
      if (frames.flags[pfn] & PG_ANON) markLazyfree(mm.machine, pfn);
    }
  });
  mm.invalidateEnd(range);
}

/** mm/madvise.c: madvise_remove(): punch a hole in the backing file. */
function madviseRemove(p: Process, vma: Vma, start: number, end: number): Step {
  if (vma.flags & VM_LOCKED) return -EINVAL;
  const file = vma.file;
  if (file === null) return -EINVAL;
  // vma_is_shared_maywrite()
  if ((vma.flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -EACCES;
  const offset = start - vma.start + vma.pgoff * 4096;
  // userfaultfd_remove()
  p.mm.userfaults.remove(vma, start, end);
  // vfs_fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
  if (!file.writable) return -EBADF;
  if (!file.inode.sb.punchHole) return -EOPNOTSUPP;
  punchHole(p.machine, file.inode, offset, end - start);
  // The mmap lock was dropped: the walk looks the next VMA up again.
  return 0;
}

/**
 * mm/madvise.c: madvise_willneed(). Anonymous and shmem memory: swap-in
 * only (nothing is swapped here), then lru_add_drain(). A regular file:
 * vfs_fadvise(POSIX_FADV_WILLNEED) -> generic_fadvise() ->
 * force_page_cache_ra(): the range's pages, up to EOF and at most
 * max(io_pages, ra_pages), are read into the page cache (seen by mincore,
 * checked on 6.18.44: 2048 pages from a longer range); no PTE changes.
 */
function madviseWillneed(p: Process, vma: Vma, start: number, end: number): Step {
  const file = vma.file;
  if (file === null || file.inode.kind !== "regular") {
    lruAddDrain(p.machine);
    return vma;
  }
  if (isDax(vma)) return vma;
  const first = vma.pageIndex(start);
  const last = vma.pageIndex(end - 4096); // endbyte >> PAGE_SHIFT
  forcePageCacheRa(p.machine, file, file.inode, first, last - first + 1);
  return 0; // the lock was dropped around vfs_fadvise()
}

/**
 * folio_test_mlocked() for a page-cache page, as shrink_folio_list()'s
 * folio_evictable() sees it: a VM_LOCKED VMA maps it now (mlock_folio()
 * at map time). A locked VMA that never faulted the page in
 * (MLOCK_ONFAULT in another process) leaves it evictable (checked on
 * 6.18.44: MADV_PAGEOUT unmaps it).
 */
function cachePageMlocked(inode: Inode, pfn: number, index: number): boolean {
  for (const v of inode.mappings) {
    if (!(v.flags & VM_LOCKED) || index < v.pgoff || index >= v.pgoff + v.pages) continue;
    const vpn = (v.start + (index - v.pgoff) * 4096) / 4096;
    if ((v.mm.pt.bitsAt(vpn) & PTE_PRESENT) && v.mm.pt.pfnAt(vpn) === pfn) return true;
  }
  return false;
}

/** can_madv_lru_vma() */
function canMadvLru(vma: Vma): boolean {
  return !(vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
}

/**
 * mm/madvise.c: madvise_cold() / madvise_pageout() and
 * madvise_cold_or_pageout_pte_range(). Both start with lru_add_drain()
 * and look only at pages mapped once (folio_mapcount() == 1) and on the
 * LRU. Each loses PG_referenced at once (folio_clear_referenced). COLD
 * also clears the PTE's accessed bit and deactivates the page
 * (folio_deactivate(), applied at the next drain). PAGEOUT reclaims them
 * ({@link reclaimPages}): anonymous pages stay (no swap device) unless
 * MADV_FREE made them lazyfree and they are still clean, file
 * pages are unmapped from every mapping and, when clean, dropped from the
 * page cache (the data is on disk; a clean shmem page holds only zeros);
 * dirty ones stay cached, unmapped (checked on 6.18.44). A file the caller
 * could not open for writing is reclaimed only for its anonymous pages.
 */
function madviseColdOrPageout(
  p: Process,
  vma: Vma,
  start: number,
  end: number,
  pageout: boolean,
): Step {
  if (!canMadvLru(vma)) return -EINVAL;
  const mm = p.mm;
  const m = p.machine;
  lruAddDrain(m);
  let anonOnly = false;
  if (pageout && !vma.isAnonymous) {
    const fileOk = vma.file !== null && canRevealPagecache(p, vma.file);
    if (!fileOk && (vma.flags & VM_MAYSHARE)) return vma;
    anonOnly = !fileOk;
  }
  const frames = m.frames;
  const inode = vma.file?.inode ?? null;
  const victims: ReclaimCandidate[] = [];
  for (let a = start; a < end; a += 4096) {
    const vpn = a / 4096;
    const b = mm.pt.bitsAt(vpn);
    if (!(b & PTE_PRESENT) || (b & PTE_SPECIAL)) continue;
    const pfn = mm.pt.pfnAt(vpn);
    // Not on the LRU (queued for deactivation), or mapped elsewhere too.
    if ((frames.flags[pfn] & PG_LRU_DEACTIVATE) || frames.mapcount[pfn] !== 1) continue;
    const anon = (frames.flags[pfn] & PG_ANON) !== 0;
    if (anonOnly && !anon) continue;
    if (!pageout && (b & PTE_YOUNG)) mm.pt.set(vpn, pfn, b & ~PTE_YOUNG);
    frames.flags[pfn] &= ~PG_REFERENCED;
    const locked = !anon && inode !== null &&
      (pageout
        ? cachePageMlocked(inode, pfn, frames.index[pfn])
        : cachePageUnevictable(inode, frames.index[pfn]));
    if (pageout) {
      if (!locked) victims.push(anon ? { pfn, inode: null, vma, addr: a } : { pfn, inode });
    } else {
      deactivate(m, pfn, locked);
    }
  }
  if (pageout) reclaimPages(m, victims);
  return vma;
}

/**
 * mm/khugepaged.c: madvise_collapse(). Eligibility (thp_vma_allowable_order
 * with forced collapse, in this configuration): anonymous, not
 * VM_NOHUGEPAGE, not VM_SPECIAL/VM_HUGETLB, and big enough to hold an
 * aligned 2 MiB block; otherwise EINVAL. Each 2 MiB-aligned block inside
 * the range collapses when it holds at least one normal page and no
 * non-present entry (guard marker): mmlab has no PMD mappings, so a
 * collapsed block is modelled as all 512 pages present (RSS grows by the
 * block, as AnonHugePages would). A block that cannot collapse makes the
 * call EINVAL after the others were done; a range holding no whole block
 * returns 0 (all checked on 6.18.44).
 */
function madviseCollapse(mm: Mm, vma: Vma, start: number, end: number): Step {
  const f = vma.flags;
  if (!vma.isAnonymous || any(f, VM_NOHUGEPAGE) || (f & (VM_SPECIAL | VM_HUGETLB))) {
    return -EINVAL;
  }
  const top = Math.floor((vma.end - PMD_SIZE) / PMD_SIZE) * PMD_SIZE;
  if (vma.end < PMD_SIZE || top < vma.start) return -EINVAL;
  const frames = mm.machine.frames;
  const hstart = Math.ceil(start / PMD_SIZE) * PMD_SIZE;
  const hend = Math.floor(end / PMD_SIZE) * PMD_SIZE;
  let failed = 0;
  for (let h = hstart; h < hend; h += PMD_SIZE) {
    let normal = 0, missing = 0, blocked = false;
    for (let a = h; a < h + PMD_SIZE; a += 4096) {
      const b = mm.pt.bitsAt(a / 4096);
      if (b === 0 || ((b & PTE_PRESENT) && (b & PTE_SPECIAL))) missing++;
      else if (!(b & PTE_PRESENT)) blocked = true;
      else normal++;
    }
    if (blocked || normal === 0) {
      failed = -EINVAL;
      continue;
    }
    if (missing > frames.freeCount) return -ENOMEM;
    anonVmaPrepare(vma);
    const range = mm.invalidateStart(h, h + PMD_SIZE, "CLEAR");
    for (let a = h; a < h + PMD_SIZE; a += 4096) {
      const vpn = a / 4096;
      const b = mm.pt.bitsAt(vpn);
      if (b !== 0 && !(b & PTE_SPECIAL)) continue;
      const pfn = frames.alloc();
      frames.flags[pfn] = PG_ANON | PG_ANON_EXCLUSIVE;
      frames.owner[pfn] = vma.anonVma!.id;
      frames.index[pfn] = vma.pageIndex(a);
      frames.mapcount[pfn] = 1;
      let bits = PTE_PRESENT | PTE_YOUNG;
      if (f & VM_WRITE) bits |= PTE_WRITE | PTE_DIRTY;
      if (!(f & VM_ACCESS_FLAGS)) bits |= PTE_PROTNONE;
      mm.pt.set(vpn, pfn, bits);
    }
    mm.invalidateEnd(range);
  }
  return failed !== 0 ? failed : vma;
}

/** is_valid_guard_vma() */
function validGuardVma(vma: Vma, allowLocked: boolean): boolean {
  let disallowed = VM_SPECIAL | VM_HUGETLB;
  if (!allowLocked) disallowed |= VM_LOCKED;
  return !(vma.flags & disallowed);
}

/**
 * mm/madvise.c: madvise_guard_install(). The whole VMA gets VM_MAYBE_GUARD
 * (`gu`), set in place: no split, and the flag stays after GUARD_REMOVE
 * (6.18.44). Pages in the range are zapped, then every entry becomes a
 * guard marker; accesses raise SIGSEGV SEGV_MAPERR.
 */
function guardInstall(mm: Mm, vma: Vma, start: number, end: number): Step {
  if (!validGuardVma(vma, false)) return -EINVAL;
  vma.flags = set(vma.flags, VM_MAYBE_GUARD);
  if (vma.isAnonymous) anonVmaPrepare(vma);
  // guard_install_pte_entry(): anything but none or a guard marker needs a zap.
  let populated = false;
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    for (let i = lo; i < hi && !populated; i++) {
      const b = t.bits[i];
      populated = b !== 0 && !(b === PTE_MARKER && t.pfn[i] === MARKER_GUARD);
    }
  });
  if (populated) zapRange(mm, vma, start, end, { dropMarkers: false, event: "CLEAR" });
  for (let a = start; a < end; a += 4096) {
    if (mm.pt.bitsAt(a / 4096) === 0) mm.pt.set(a / 4096, MARKER_GUARD, PTE_MARKER);
  }
  return vma;
}

/** mm/madvise.c: madvise_guard_remove(): allowed on mlocked VMAs. */
function guardRemove(mm: Mm, vma: Vma, start: number, end: number): Step {
  if (!validGuardVma(vma, true)) return -EINVAL;
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if ((b & PTE_MARKER) && !(b & PTE_PRESENT) && t.pfn[i] === MARKER_GUARD) {
        pteClear(t, i);
      }
    }
  });
  return vma;
}

/**
 * mm/gup.c: check_vma_flags() for MADV_POPULATE_* (no FOLL_FORCE): true
 * when GUP refuses the VMA, which madvise reports as EINVAL.
 */
function populateRefused(vma: Vma, write: boolean): boolean {
  const f = vma.flags;
  if (f & (VM_IO | VM_PFNMAP)) return true;
  if (write) return !(f & VM_WRITE) || any(f, VM_SHADOW_STACK);
  return !(f & VM_READ);
}

/**
 * mm/madvise.c: madvise_populate() -> mm/gup.c faultin_page_range() with
 * FOLL_MADV_POPULATE: page by page, VMA by VMA; a hole is ENOMEM and a
 * refused VMA EINVAL (pages before them stay populated); a fault that would
 * raise SIGBUS or SIGSEGV (past EOF, guard marker) is EFAULT.
 */
function madvisePopulate(mm: Mm, start: number, end: number, write: boolean): number {
  let a = start;
  while (a < end) {
    const vma = mm.vmas.lookup(a);
    if (vma === null) return -ENOMEM;
    if (populateRefused(vma, write)) return -EINVAL;
    const stop = Math.min(end, vma.end);
    const r = faultinVmaRange(mm, vma, a, stop, write);
    if (r.err !== 0) {
      if (r.err & VM_FAULT_OOM) return -ENOMEM;
      if (r.err & VM_FAULT_HWPOISON) return -EHWPOISON;
      return -EFAULT;
    }
    a = stop;
  }
  return 0;
}
