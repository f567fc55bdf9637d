/**
 * fork(2)'s mm half: kernel/fork.c copy_process() -> copy_mm() -> dup_mm()
 * (lib/proc/fork.ts) -> mm/mmap.c dup_mmap() -> mm/memory.c copy_page_range() /
 * copy_present_pte(). linux-mm.md §8.
 *
 * Per parent VMA: VM_DONTCOPY is skipped; VM_WIPEONFORK comes over empty;
 * otherwise the child gets a copy, and its page tables are copied only
 * when faults could not rebuild them (vma_needs_copy: an anon_vma, or
 * VM_PFNMAP/VM_MIXEDMAP/VM_MAYBE_GUARD). Private pages become shared
 * copy-on-write, write-protected on both sides, except pages that may be
 * DMA-pinned: those are copied for the child at once (policy
 * `fork.pinnedPages`: `early-copy` since 5.9, `cow-steal` before).
 * @module
 */

import { ENOMEM } from "../abi/errno.ts";
import type { Process } from "../proc/process.ts";
import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  clear,
  combine,
  VM_ACCOUNT,
  VM_DONTCOPY,
  VM_LOCKED_MASK,
  VM_MAYBE_GUARD,
  VM_MAYWRITE,
  VM_MIXEDMAP,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WIPEONFORK,
} from "./vm_flags.ts";
import { vmaLink } from "./vma_ops.ts";
import { vmEnoughMemory } from "./accounting.ts";
import { uffdWpDropRange } from "./userfaultfd_k.ts";
import type { UffdContextRef } from "./vma.ts";
import {
  copyPtes,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_SPECIAL,
  PTE_WRITE,
  PTE_YOUNG,
  pteInstall,
  pteModify,
} from "./pagetable.ts";
import { GUP_PIN_COUNTING_BIAS, PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";

/**
 * Policy `fork.pinnedPages`: a maybe-pinned anonymous page is copied for
 * the child at fork (copy_present_page(), 5.9+), or write-protected and
 * shared like any other (the parent's next write leaves the DMA page).
 */
/**
 * Policy `fork.openBeforeCopy`: where dup_mmap() calls the new VMA's
 * vm_ops->open. Up to 6.8 after copy_page_range(), so a driver's open
 * could zap what was copied (vfio 5.8-6.9: the child re-faults and is
 * tracked); 35e351780fa9 (6.9, also 6.6.y) moved it before the copy, and
 * the child's copied BAR PTEs escaped vfio's memory-disable zap.
 */
const OPEN_BEFORE_COPY: Record<KnobValue<"fork.openBeforeCopy">, boolean> = {
  false: false,
  true: true,
};

const PINNED_PAGE_COPIED_AT_FORK: Record<KnobValue<"fork.pinnedPages">, boolean> = {
  "cow-steal": false,
  "early-copy": true,
};

/** is_cow_mapping(): private and may be written. */
function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * copy_page_range() for one VMA: copies the parent's entries into the
 * child. Returns 0 or -ENOMEM (no frame for an early copy).
 */
function copyPageRange(dst: Mm, dstVma: Vma, src: Mm, srcVma: Vma): number {
  const frames = src.machine.frames;
  const cow = isCowMapping(srcVma.flags);
  const shared = (srcVma.flags & VM_SHARED) !== 0;
  // Only an mm that ever pinned a page can hold a maybe-pinned one.
  const earlyCopy = PINNED_PAGE_COPIED_AT_FORK[src.machine.policy("fork.pinnedPages")] &&
    src.hasPinned;
  const range = cow ? src.invalidateStart(srcVma.start, srcVma.end, "PROTECTION_PAGE") : null;
  let err = 0;
  src.pt.forEachTable(srcVma.start / 4096, srcVma.end / 4096, (t, base, lo, hi) => {
    if (err) return;
    const dt = dst.pt.table(base, true)!;
    if (!earlyCopy) {
      copyPtes(t, dt, lo, hi, frames, cow, shared);
      return;
    }
    for (let i = lo; i < hi; i++) {
      let b = t.bits[i];
      if (b === 0) continue;
      const pfn = t.pfn[i];
      if (!(b & PTE_PRESENT)) {
        // Markers (guard regions) are copied as they are.
        if (b & PTE_MARKER) {
          pteInstall(dt, i, pfn, b);
        }
        continue;
      }
      if (!(b & PTE_SPECIAL)) {
        const f = frames.flags[pfn];
        // folio_try_dup_anon_rmap_pte() fails for a maybe-pinned exclusive page.
        if (
          (f & PG_ANON) && (f & PG_ANON_EXCLUSIVE) && frames.refcount[pfn] >= GUP_PIN_COUNTING_BIAS
        ) {
          // copy_present_page(): the child gets its own copy right now.
          const np = frames.alloc();
          if (np < 0) {
            err = -ENOMEM;
            return;
          }
          frames.copy(np, pfn);
          frames.flags[np] = PG_ANON | PG_ANON_EXCLUSIVE;
          frames.owner[np] = dstVma.anonVma !== null ? dstVma.anonVma.id : 0;
          frames.index[np] = frames.index[pfn];
          frames.mapcount[np] = 1;
          pteInstall(dt, i, np, PTE_PRESENT | PTE_DIRTY | (dstVma.flags & 2 ? PTE_WRITE : 0));
          continue;
        }
        frames.refcount[pfn]++;
        frames.mapcount[pfn]++;
        if (f & PG_ANON) frames.flags[pfn] = f & ~PG_ANON_EXCLUSIVE;
      }
      if (cow && (b & PTE_WRITE)) {
        b &= ~PTE_WRITE;
        pteModify(t, i, b);
      }
      let cb = b & ~PTE_YOUNG;
      if (shared) cb &= ~PTE_DIRTY;
      pteInstall(dt, i, pfn, cb);
    }
  });
  src.invalidateEnd(range);
  return err;
}

/**
 * vma_needs_copy(): must the child's page tables be copied now? Always
 * when the child's VMA is userfaultfd_wp() (the protection lives only in
 * the PTEs); a parent's MODE_WP without EVENT_FORK does not count.
 */
function needsCopy(dst: Vma, src: Vma): boolean {
  if (dst.flags & VM_UFFD_WP) return true;
  if (src.flags & (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD)) return true;
  return src.anonVma !== null;
}

/**
 * dup_mmap(): builds the child's address space from the parent's. Returns
 * 0 or -ENOMEM (overcommit refused the child's commit, or no frame for an
 * early copy); the caller tears down what was built.
 */
export function dupMmap(parent: Process, childMm: Mm): number {
  const src = parent.mm;
  const m = parent.machine;
  childMm.startBrk = src.startBrk;
  childMm.brk = src.brk;
  childMm.startStack = src.startStack;
  childMm.startCode = src.startCode;
  childMm.endCode = src.endCode;
  childMm.mmapBase = src.mmapBase;
  childMm.rlimits = { ...src.rlimits };
  // mm_init(): only VM_INIT_DEF_MASK (VM_NOHUGEPAGE) of def_flags is inherited.
  childMm.defFlags = src.defFlags & VM_NOHUGEPAGE;
  // dup_userfaultfd(): one child context per parent context with EVENT_FORK.
  const fctxs = new Map<UffdContextRef, UffdContextRef | null>();
  let charged = 0;
  for (let v = src.vmas.first; v !== null; v = v.next) {
    if (v.flags & VM_DONTCOPY) continue;
    // security_vm_enough_memory_mm(): the child commits its private
    // writable memory again; under strict overcommit a large one is ENOMEM
    // (why MADV_DONTFORK matters for a big DMA buffer, devices.md §1.5).
    if (v.flags & VM_ACCOUNT) {
      if (!vmEnoughMemory(src, v.pages, charged)) return -ENOMEM;
      charged += v.pages;
    }
    const c = v.dup(childMm);
    // mlock is not inherited; nor is a uffd registration without EVENT_FORK.
    c.flags = clear(c.flags, VM_LOCKED_MASK);
    if (c.uffd !== null) {
      const o = c.uffd;
      if (!fctxs.has(o)) fctxs.set(o, o.forkDup?.(childMm) ?? null);
      c.uffd = fctxs.get(o)!;
      if (c.uffd === null) {
        c.flags = clear(c.flags, combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR));
      }
    }
    if (v.flags & VM_WIPEONFORK) {
      c.anonVma = null;
      c.forkChild = false;
    } else if (v.anonVma !== null) {
      // anon_vma_fork(): a new anon_vma chained to the parent's.
      c.anonVma = m.newAnonVma(v.anonVma);
      c.forkChild = true;
    }
    vmaLink(childMm, c);
    // ->open before or after the PTEs are copied (policy fork.openBeforeCopy).
    const openFirst = OPEN_BEFORE_COPY[m.policy("fork.openBeforeCopy")];
    if (openFirst) c.ops?.open?.(c);
    if (!(v.flags & VM_WIPEONFORK) && needsCopy(c, v)) {
      const err = copyPageRange(childMm, c, src, v);
      if (err) return err;
      // copy_present_pte() / copy_pte_marker(): a child VMA that is not
      // userfaultfd_wp() gets no uffd-wp bits or markers.
      if ((v.flags & VM_UFFD_WP) && !(c.flags & VM_UFFD_WP)) {
        uffdWpDropRange(childMm, c.start, c.end);
      }
    }
    if (!openFirst) c.ops?.open?.(c);
  }
  // dup_userfaultfd_complete(): a UFFD_EVENT_FORK per child context.
  for (const [o, n] of fctxs) if (n !== null) o.forkComplete?.(n);
  return 0;
}
