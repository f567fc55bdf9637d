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
 * @module
 */

import type { Vma } from "./vma.ts";

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
    for (const c of this.#ctxs) {
      const r = c.missing?.(vma, addr, write, realAddr) ?? -1;
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
