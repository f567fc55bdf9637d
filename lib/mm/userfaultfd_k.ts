/**
 * include/linux/userfaultfd_k.h: the points where the core mm reports to
 * userfaultfd contexts — a missing fault (handle_userfault()), an unmap
 * (userfaultfd_unmap_prep()) and a range dropped by madvise
 * (userfaultfd_remove()).
 *
 * Each {@link Mm} owns one {@link Userfaults} registry, so nothing is shared
 * between machines or address spaces. A context subscribes to the mm it
 * was created on (ctx->mm in fs/userfaultfd.c) and gets an unsubscribe
 * function back. The kernel finds a context through the VMA
 * (vma->vm_userfaultfd_ctx); a context decides itself which VMAs are
 * registered with it (its `missing` returns -1 for the others), until
 * VMAs carry that pointer. A fork's child starts with an empty registry:
 * dup_userfaultfd() carries a context over only with UFFD_FEATURE_EVENT_FORK.
 *
 * The write-protect (MODE_WP) state lives in the page table: the uffd-wp
 * PTE bit (PTE_UFFD_WP, write-protected with it) and PTE_MARKER_UFFD_WP in
 * none PTEs (lib/mm/pagetable.ts). {@link uffdWpRange} is
 * uffd_wp_range(); fault.ts, mprotect.ts, zap.ts, fork.ts and mremap.ts
 * keep the bit as the kernel does (do_wp_page, can_change_pte_writable,
 * zap_install_uffd_wp_if_needed, copy_present_pte, move_ptes).
 * @module
 */

import type { Vma } from "./vma.ts";
import type { Mm } from "./mm.ts";
import {
  any,
  combine,
  has,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from "./vm_flags.ts";
import { VM_FAULT_SIGBUS } from "./vm_ops.ts";
import {
  MARKER_UFFD_WP,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
  pteClear,
  pteModify,
} from "./pagetable.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";

/** UFFD_FEATURE_WP_UNPOPULATED (6.4): anonymous none PTEs take uffd-wp markers too. */
export const UFFD_FEATURE_WP_UNPOPULATED = 1n << 13n;
/** UFFD_FEATURE_WP_ASYNC (6.7): the kernel resolves write-protect faults itself. */
export const UFFD_FEATURE_WP_ASYNC = 1n << 15n;

/** The wait channel of a thread waiting for its userfault handler (`ps -o wchan`). */
export const WCHAN_USERFAULT = "handle_userfault";
/**
 * The wait channel of a thread whose non-cooperative userfaultfd event
 * (UNMAP, REMOVE) is not read yet (fs/userfaultfd.c
 * userfaultfd_event_wait_completion).
 */
export const WCHAN_UFFD_EVENT = "userfaultfd_event_wait_completion";

/** One subscriber (a userfaultfd context, or the 2014 MADV_USERFAULT RFC). */
export interface UserfaultCtx {
  /**
   * handle_userfault() for a missing page at `addr` in anonymous `vma`:
   * a VM_FAULT code to take the fault over, or -1 to leave it to
   * do_anonymous_page().
   */
  missing?(vma: Vma, addr: number, write: boolean, realAddr: number): number;
  /** handle_userfault(vmf, VM_UFFD_WP): a write to a uffd-wp PTE of `vma`. */
  wp?(vma: Vma, addr: number, realAddr: number): number;
  /** handle_userfault(vmf, VM_UFFD_MINOR): a page-cache hit with no PTE in `vma`. */
  minor?(vma: Vma, addr: number, write: boolean, realAddr: number): number;
  /** userfaultfd_unmap_prep(): [start, end) is about to be unmapped. */
  unmap?(start: number, end: number): void;
  /**
   * userfaultfd_remove(): MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE or
   * MADV_REMOVE is about to drop [start, end) of `vma`.
   */
  remove?(vma: Vma, start: number, end: number): void;
}

/** The userfault subscribers of one mm, called in subscription order. */
export class Userfaults {
  readonly #ctxs: UserfaultCtx[] = [];
  /**
   * The fault in progress has no FAULT_FLAG_ALLOW_RETRY (hmm_vma_fault:
   * FAULT_FLAG_REMOTE only): handle_userfault() cannot wait and returns
   * VM_FAULT_SIGBUS for any VMA a context would take the fault of.
   */
  noRetry = false;

  /** Runs `fn` as a fault without FAULT_FLAG_ALLOW_RETRY ({@link noRetry}). */
  withoutRetry<R>(fn: () => R): R {
    const was = this.noRetry;
    this.noRetry = true;
    try {
      return fn();
    } finally {
      this.noRetry = was;
    }
  }

  /** Subscribes `ctx`; returns the function that unsubscribes it. */
  subscribe(ctx: UserfaultCtx): () => void {
    this.#ctxs.push(ctx);
    return () => {
      const i = this.#ctxs.indexOf(ctx);
      if (i >= 0) this.#ctxs.splice(i, 1);
    };
  }

  /** How many contexts are subscribed. */
  get size(): number {
    return this.#ctxs.length;
  }

  /** The first context's VM_FAULT code for a missing fault, or -1 when none takes it. */
  missing(vma: Vma, addr: number, write: boolean, realAddr: number = addr): number {
    if (this.noRetry) {
      return vma.uffd !== null && (vma.flags & VM_UFFD_MISSING) ? VM_FAULT_SIGBUS : -1;
    }
    for (const c of this.#ctxs) {
      const r = c.missing?.(vma, addr, write, realAddr) ?? -1;
      if (r >= 0) return r;
    }
    return -1;
  }

  /**
   * handle_userfault(VM_UFFD_WP): the VM_FAULT code of the context `vma`
   * is registered with; VM_FAULT_SIGBUS (-1 here) when none takes it.
   */
  wp(vma: Vma, addr: number, realAddr: number): number {
    if (this.noRetry) return vma.uffd !== null ? VM_FAULT_SIGBUS : -1;
    for (const c of this.#ctxs) {
      const r = c.wp?.(vma, addr, realAddr) ?? -1;
      if (r >= 0) return r;
    }
    return -1;
  }

  /** handle_userfault(VM_UFFD_MINOR), as {@link wp}. */
  minor(vma: Vma, addr: number, write: boolean, realAddr: number): number {
    if (this.noRetry) {
      return vma.uffd !== null && has(vma.flags, VM_UFFD_MINOR) ? VM_FAULT_SIGBUS : -1;
    }
    for (const c of this.#ctxs) {
      const r = c.minor?.(vma, addr, write, realAddr) ?? -1;
      if (r >= 0) return r;
    }
    return -1;
  }

  /** Tells every context that [start, end) is about to be unmapped. */
  unmap(start: number, end: number): void {
    for (const c of this.#ctxs.slice()) c.unmap?.(start, end);
  }

  /** Tells every context that madvise is about to drop [start, end) of `vma`. */
  remove(vma: Vma, start: number, end: number): void {
    for (const c of this.#ctxs.slice()) c.remove?.(vma, start, end);
  }
}

/** include/linux/userfaultfd_k.h userfaultfd_wp(): registered with MODE_WP. */
export function userfaultfdWp(vma: Vma): boolean {
  return (vma.flags & VM_UFFD_WP) !== 0;
}

/** userfaultfd_pte_wp(): a uffd-wp PTE (or marker) in a VM_UFFD_WP VMA. */
export function userfaultfdPteWp(vma: Vma, bits: number): boolean {
  return userfaultfdWp(vma) && (bits & PTE_UFFD_WP) !== 0;
}

/** userfaultfd_wp_async(): the context resolves write-protect faults itself. */
export function userfaultfdWpAsync(vma: Vma): boolean {
  return ((vma.uffd?.features ?? 0n) & UFFD_FEATURE_WP_ASYNC) !== 0n;
}

/**
 * userfaultfd_wp_use_markers(): a none PTE takes a PTE_MARKER_UFFD_WP when
 * write-protected: always in a file (shmem) VMA, in an anonymous one only
 * with UFFD_FEATURE_WP_UNPOPULATED.
 */
export function userfaultfdWpUseMarkers(vma: Vma): boolean {
  if (!userfaultfdWp(vma)) return false;
  if (!vma.isAnonymous) return true;
  return ((vma.uffd?.features ?? 0n) & UFFD_FEATURE_WP_UNPOPULATED) !== 0n;
}

/**
 * uffd_disable_fault_around(): no fault-around in a WP or MINOR VMA, whose
 * every PTE the handler must see fault.
 */
export function uffdDisableFaultAround(vma: Vma): boolean {
  return any(vma.flags, combine(VM_UFFD_WP, VM_UFFD_MINOR));
}

/**
 * mm/mprotect.c can_change_pte_writable() for a present PTE once its
 * uffd-wp bit is gone: a writable VMA, not PROT_NONE; private: an
 * exclusive anonymous page; shared: a dirty PTE (the filesystem was told).
 */
function canChangePteWritable(mm: Mm, vma: Vma, bits: number, pfn: number): boolean {
  if (!(vma.flags & VM_WRITE) || (bits & PTE_PROTNONE)) return false;
  if (vma.flags & VM_SHARED) return (bits & PTE_DIRTY) !== 0;
  if (bits & PTE_SPECIAL) return false;
  const f = mm.machine.frames.flags[pfn];
  return (f & PG_ANON) !== 0 && (f & PG_ANON_EXCLUSIVE) !== 0;
}

/**
 * mm/userfaultfd.c uffd_wp_range() -> change_protection() with
 * MM_CP_UFFD_WP (`enable`) or MM_CP_UFFD_WP_RESOLVE over [start, end) of
 * `vma`. Protecting: present PTEs take the uffd-wp bit and lose write;
 * none PTEs take a PTE_MARKER_UFFD_WP where userfaultfd_wp_use_markers().
 * Resolving: the bit and the uffd-wp markers go, and a PTE that may be
 * written without a fault is made writable (MM_CP_TRY_CHANGE_WRITABLE).
 * Returns the number of PTEs changed.
 */
export function uffdWpRange(mm: Mm, vma: Vma, start: number, end: number, enable: boolean): number {
  let pages = 0;
  const range = mm.invalidateStart(start, end, "PROTECTION_VMA");
  if (enable && userfaultfdWpUseMarkers(vma)) {
    // change_pmd_prepare(): the page tables are allocated for the markers.
    for (let vpn = start / 4096; vpn < end / 4096; vpn++) {
      if (mm.pt.bitsAt(vpn) === 0) {
        mm.pt.set(vpn, MARKER_UFFD_WP, PTE_MARKER | PTE_UFFD_WP);
        pages++;
      }
    }
  }
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if (b === 0) continue;
      if (!(b & PTE_PRESENT)) {
        // A uffd-wp marker goes when resolving; other markers stay.
        if (!enable && (b & PTE_MARKER) && (b & PTE_UFFD_WP)) {
          pteClear(t, i);
          pages++;
        }
        continue;
      }
      let nb: number;
      if (enable) nb = (b | PTE_UFFD_WP) & ~PTE_WRITE;
      else {
        nb = b & ~(PTE_UFFD_WP | PTE_WRITE);
        if (canChangePteWritable(mm, vma, nb, t.pfn[i])) nb |= PTE_WRITE;
      }
      if (nb !== b) {
        pteModify(t, i, nb);
        pages++;
      }
    }
  });
  mm.invalidateEnd(range);
  return pages;
}

/**
 * mm/memory.c copy_present_pte() / copy_pte_marker() for a child VMA that
 * is not userfaultfd_wp() (no EVENT_FORK): its copied PTEs lose the
 * uffd-wp bit and its uffd-wp markers are dropped.
 */
export function uffdWpDropRange(mm: Mm, start: number, end: number): void {
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if (!(b & PTE_UFFD_WP)) continue;
      if (b & PTE_PRESENT) pteModify(t, i, b & ~PTE_UFFD_WP);
      else pteClear(t, i);
    }
  });
}
