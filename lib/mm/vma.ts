/**
 * `struct vm_area_struct`: one mapping [start, end) of an address space.
 *
 * Addresses are JS numbers (user addresses are below 2^47, exact); `pgoff`
 * is in pages. Anonymous private VMAs get `pgoff = start >> 12` at creation
 * (linux-mm.md §0.2), which is what makes them "linearly contiguous" for
 * merging. `prev`/`next` are maintained by {@link VmaTree}.
 *
 * Like a freed vm_area_struct, a VMA object that left its mm's tree may be
 * handed out again by a later split (vma_ops.ts vmaDup): hold VMA objects
 * only while the tree does, never across a call that can merge or unmap.
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
  /** A new anon_vma numbered `id`; `parent` is the one it was forked from (anon_vma->parent). */
  constructor(readonly id: number, readonly parent: AnonVma | null = null) {}
}

/** A userfaultfd context, opaque to the VMA layer. */
export interface UffdContextRef {
  /** A number identifying the context in views. */
  readonly id: number;
  /** ctx->features (UFFD_FEATURE_WP_UNPOPULATED, _WP_ASYNC matter to the mm). */
  readonly features?: bigint;
  /**
   * mremap_userfaultfd_prep(): with UFFD_FEATURE_EVENT_REMAP the moved VMA
   * keeps its context and a UFFD_EVENT_REMAP is begun, which the returned
   * mremap_userfaultfd_complete() fills with the move (or drops, given
   * null: the move failed). Null without the feature: the VMA drops the
   * context (userfaultfd_reset_ctx).
   */
  remapPrep?(): ((move: { from: number; to: number; len: number } | null) => void) | null;
  /**
   * dup_userfaultfd(): with UFFD_FEATURE_EVENT_FORK a new context on the
   * child's mm, which the child's copies of this context's VMAs keep;
   * null without it (they drop it: userfaultfd_reset_ctx).
   */
  forkDup?(childMm: Mm): UffdContextRef | null;
  /** dup_userfaultfd_complete(): the UFFD_EVENT_FORK carrying `child`. */
  forkComplete?(child: UffdContextRef): void;
}

/** vm_area_struct: one mapping [start, end) of an mm with uniform flags, file and offset. */
export class Vma {
  /** VMA-tree bookkeeping; see vma_tree.ts. */
  prev: Vma | null = null;
  /** Next VMA in address order (VMA-tree bookkeeping). */
  next: Vma | null = null;
  /** @internal the tree leaf slot holding this VMA, -1 when unlinked */
  leaf = -1;
  /** @internal where the tree last saw this VMA in its arrays (a hint, checked before use) */
  slot = -1;

  /** The anon_vma its anonymous pages belong to; null until the first write fault. */
  anonVma: AnonVma | null = null;
  /**
   * mm/vma.c: vma_is_fork_child(): the anon_vma_chain is not singular because
   * the VMA was cloned from a parent by fork.
   */
  forkChild = false;
  /** vm_ops: the file or driver's fault/mmap callbacks; null for an anonymous VMA. */
  ops: VmOperations | null = null;
  /** vm_userfaultfd_ctx: the userfaultfd registered on this range, if any. */
  uffd: UffdContextRef | null = null;
  /** anon_vma_name: the name set by prctl(PR_SET_VMA_ANON_NAME), shown as [anon:name]. */
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
  /** vm_lock_seq: the mm_lock_seq under which vma_start_write() locked it (mmap_lock.ts). */
  vmLockSeq: number = -1;

  /*
   * [start, end) and the page offset of start. They are above 2^31, so V8
   * holds them as doubles, and a field whose first value is a double is
   * updated in place. A declared class field would first be defined as
   * undefined (define semantics) and then box every number written to it,
   * so these three are `declare`d and first set, to NaN, in the
   * constructor: setRange and splits then write without allocating.
   */
  /** vm_start: first address of the mapping. */
  declare start: number;
  /** vm_end: first address past the mapping. */
  declare end: number;
  /** vm_pgoff: file offset of vm_start, in pages. */
  declare pgoff: number;
  /** vm_flags: the VM_* bits (vm_flags.ts). */
  flags: number;
  /** vm_file: the mapped file; null for anonymous memory. */
  file: OpenFile | null;

  /** Creates an unlinked VMA [start, end) of `mm` (vm_area_alloc plus the fields mmap sets). */
  constructor(
    readonly mm: Mm,
    start: number,
    end: number,
    flags: number,
    pgoff: number,
    file: OpenFile | null,
  ) {
    this.start = this.end = this.pgoff = NaN;
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.pgoff = pgoff;
    this.file = file;
  }

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
    return new Vma(mm, this.start, this.end, this.flags, this.pgoff, this.file).copyAttrs(this);
  }

  /**
   * Makes this unlinked VMA of the same mm a copy of `src`, as dup() would
   * make a new one (a freed vm_area_struct handed out again by its slab):
   * every field but the tree links is overwritten, the view memo dropped.
   */
  reuseAs(src: Vma): this {
    if (src.mm !== this.mm || this.leaf !== -1) throw new Error(`Vma.reuseAs: ${this} is not free`);
    this.start = src.start;
    this.end = src.end;
    this.flags = src.flags;
    this.pgoff = src.pgoff;
    this.file = src.file;
    this.viewMemo = null;
    this.vmLockSeq = -1;
    return this.copyAttrs(src);
  }

  /** The attributes dup() and reuseAs() copy besides the range, flags and file. */
  private copyAttrs(src: Vma): this {
    this.anonVma = src.anonVma;
    this.forkChild = src.forkChild;
    this.ops = src.ops;
    this.uffd = src.uffd;
    this.anonName = src.anonName;
    this.priv = src.priv;
    this.cacheMode = src.cacheMode;
    return this;
  }

  /** Debug form: `vma[start-end pgoff=...]` in hex. */
  toString(): string {
    return `vma[${this.start.toString(16)}-${this.end.toString(16)} pgoff=${
      this.pgoff.toString(16)
    }]`;
  }
}
