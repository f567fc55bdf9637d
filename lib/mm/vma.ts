/**
 * `struct vm_area_struct`: one mapping [start, end) of an address space.
 *
 * Addresses are JS numbers (user addresses are below 2^47, exact); `pgoff`
 * is in pages. Anonymous private VMAs get `pgoff = start >> 12` at creation
 * (linux-mm.md §0.2), which is what makes them "linearly contiguous" for
 * merging. `prev`/`next` are maintained by {@link VmaTree}.
 * @module
 */

import type { OpenFile } from "../fs/file.ts";
import type { Mm } from "./mm.ts";
import type { VmOperations } from "./vm_ops.ts";

/**
 * `struct anon_vma`: the identity of a set of anonymous pages. Assigned by
 * the first write fault (anon_vma_prepare), shared by VMAs split from or
 * merged with the owner, and chained to the parent's by fork.
 */
export class AnonVma {
  constructor(readonly id: number, readonly parent: AnonVma | null = null) {}
}

/** A userfaultfd context, opaque to the VMA layer. */
export interface UffdContextRef {
  readonly id: number;
}

export class Vma {
  /** VMA-tree bookkeeping; see vma_tree.ts. */
  prev: Vma | null = null;
  next: Vma | null = null;
  /** @internal the tree leaf holding this VMA */
  leaf: unknown = null;

  anonVma: AnonVma | null = null;
  /**
   * mm/vma.c: vma_is_fork_child(): the anon_vma_chain is not singular because
   * the VMA was cloned from a parent by fork.
   */
  forkChild = false;
  ops: VmOperations | null = null;
  uffd: UffdContextRef | null = null;
  anonName: string | null = null;
  /** Driver-private data (vm_private_data). */
  priv: unknown = null;
  /**
   * The cache-mode bits of vm_page_prot (pagetable.ts CACHE_*): a driver's
   * ->mmap sets them with pgprot_noncached / pgprot_writecombine; PTEs
   * its fault handler inserts carry them.
   */
  cacheMode = 0;
  /** A memo for /proc views (proc/maps.ts); never copied, checked before use. */
  viewMemo: unknown = null;

  constructor(
    readonly mm: Mm,
    public start: number,
    public end: number,
    public flags: number,
    public pgoff: number,
    public file: OpenFile | null,
  ) {}

  /** Number of pages (vma_pages). */
  get pages(): number {
    return (this.end - this.start) / 4096;
  }

  /** The file page index backing `addr` (linear_page_index). */
  pageIndex(addr: number): number {
    return this.pgoff + (addr - this.start) / 4096;
  }

  /**
   * vma_is_anonymous(): no vm_ops. A private mapping of /dev/zero keeps its
   * file but is anonymous (mmap_zero(): vma_set_anonymous()); every other
   * file mapping has vm_ops.
   */
  get isAnonymous(): boolean {
    return this.ops === null;
  }

  /** Copies everything but the range and list links (vm_area_dup). */
  dup(mm: Mm = this.mm): Vma {
    const v = new Vma(mm, this.start, this.end, this.flags, this.pgoff, this.file);
    v.anonVma = this.anonVma;
    v.forkChild = this.forkChild;
    v.ops = this.ops;
    v.uffd = this.uffd;
    v.anonName = this.anonName;
    v.priv = this.priv;
    v.cacheMode = this.cacheMode;
    return v;
  }

  toString(): string {
    return `vma[${this.start.toString(16)}-${this.end.toString(16)} pgoff=${
      this.pgoff.toString(16)
    }]`;
  }
}
