/**
 * `struct mm_struct`: an address space — the VMA tree, the page table, and
 * the counters /proc shows (map_count, total_vm, locked_vm, RSS...).
 * Processes (and later threads) share an Mm.
 * @module
 */

import { VmaTree } from "./vma_tree.ts";
import { PageTable } from "./pagetable.ts";
import type { Machine } from "../machine.ts";
import type { Vma } from "./vma.ts";
import type { Proposal } from "./vma_ops.ts";
import type { MmuNotifier, MmuNotifierRange, MmuNotifyEvent } from "./mmu_notifier.ts";
import { MMAP_BASE } from "../abi/layout.ts";
import { Userfaults } from "./userfaultfd_k.ts";
import { MmapLock } from "./mmap_lock.ts";
import type { GupPage } from "./gup.ts";

/** RLIM_INFINITY */
export const RLIM_INFINITY = Number.POSITIVE_INFINITY;

/** The RLIMIT_* values (signal->rlim) the mm code checks, in bytes. */
export interface Rlimits {
  /** RLIMIT_STACK, bytes. */
  stack: number;
  /** RLIMIT_AS, bytes. */
  as: number;
  /** RLIMIT_DATA, bytes. */
  data: number;
  /** RLIMIT_MEMLOCK, bytes. */
  memlock: number;
  /** RLIMIT_DATA's hard limit, bytes (may_expand_vm's Valgrind workaround). */
  dataMax?: number;
}

export const DEFAULT_RLIMITS: Rlimits = {
  stack: 8 << 20,
  as: RLIM_INFINITY,
  data: RLIM_INFINITY,
  memlock: 8 << 20,
};

/** `struct mm_struct`: one address space (VMAs, page table, mmap_lock), shared by its tasks. */
export class Mm {
  /** The VMAs, kept in address order (mm->mm_mt, the maple tree). */
  readonly vmas: VmaTree = new VmaTree();
  /** The page table (mm->pgd). */
  readonly pt: PageTable = new PageTable();
  /**
   * pinned_vm, in pages. Other counters (total_vm, locked_vm, RSS) are
   * computed from the VMAs and the page table when asked (see stats.ts), so
   * they cannot drift from what they count.
   */
  pinnedVm = 0;
  /**
   * FAULT_FLAG_USER for the fault being handled: true while a CPU access
   * (lib/arch/cpu.ts) faults, false for kernel accesses (copy_to_user, GUP).
   */
  faultFlagUser = false;
  /** mm->start_brk: where the heap starts. */
  startBrk = 0;
  /** mm->brk: the current program break. */
  brk = 0;
  /** mm->start_stack: top of the main stack at exec. */
  startStack = 0;
  /** mm->start_code: start of the text segment. */
  startCode = 0;
  /** mm->end_code: end of the text segment. */
  endCode = 0;
  /** mm->mmap_base: where top-down mmap placement starts. */
  mmapBase: number = MMAP_BASE;
  /** mm->def_flags (VM_LOCKED after mlockall(MCL_FUTURE)...). */
  defFlags = 0;
  /** MMF_HAS_PINNED: this mm has ever had pages pinned with FOLL_PIN. */
  hasPinned = false;
  /** mm->mmap_lock as state: readers, writer, mm_lock_seq (mmap_lock.ts). */
  readonly mmapLock: MmapLock = new MmapLock();
  /**
   * Pages GUP returned that someone outside mm holds on this mm's behalf:
   * the REPL's pin_user_pages command, standing in for a driver (an RDMA
   * MR). exit_mmap() gives them back (lib/mm/gup.ts releaseHeldPages).
   */
  readonly gupHeld: GupPage[] = [];
  /** Tasks using this mm (mm_users). */
  users = 1;
  /** Resource limits checked by mmap, brk, mlock and stack growth (RLIMIT_*). */
  rlimits: Rlimits = { ...DEFAULT_RLIMITS };
  /** Subscribed secondary MMUs. */
  readonly notifiers: MmuNotifier[] = [];
  /** Subscribed userfault contexts (missing faults, UNMAP, REMOVE). */
  readonly userfaults: Userfaults = new Userfaults();
  /** A memo for /proc views of the whole mm (proc/maps.ts); checked before use. */
  viewMemo: unknown = null;
  /**
   * Anonymous VMAs removed from this mm, for splits to reuse (compare the
   * vm_area_struct slab, vm_area_cachep): a split/merge cycle then
   * allocates nothing. See vma_ops.ts vmaRemove/vmaDup.
   */
  readonly freeVmas: Vma[] = [];
  /** vma_modify()'s proposal, reused call after call (vma_ops.ts) so that none is allocated. */
  readonly proposal: Proposal = {
    flags: 0,
    file: null,
    pgoff: NaN, // a double from the start: written in place, never boxed
    anonVma: null,
    uffd: null,
    anonName: null,
  };

  /** Creates an empty mm on `machine`; `id` names it in traces. */
  constructor(readonly machine: Machine, readonly id: number) {
    this.pt.pool = machine.ptePool;
  }

  /** map_count: the number of VMAs. */
  get mapCount(): number {
    return this.vmas.count;
  }

  /** find_vma(): first VMA with end > addr. */
  findVma(addr: number): Vma | null {
    return this.vmas.find(addr);
  }

  /** Tells every subscribed secondary MMU that [start, end) is about to change. */
  invalidateStart(start: number, end: number, event: MmuNotifyEvent): MmuNotifierRange | null {
    if (this.notifiers.length === 0) return null;
    const range = { start, end, event };
    for (const n of this.notifiers.slice()) {
      if (n.start !== undefined && (n.end! <= start || n.start >= end)) continue;
      n.invalidateStart?.(range);
    }
    return range;
  }

  /** Ends what {@link invalidateStart} began; a null range (no subscribers) is a no-op. */
  invalidateEnd(range: MmuNotifierRange | null): void {
    if (range === null) return;
    for (const n of this.notifiers.slice()) {
      if (n.start !== undefined && (n.end! <= range.start || n.start >= range.end)) continue;
      n.invalidateEnd?.(range);
    }
  }
}
