/**
 * `struct vm_operations_struct`: how a driver or special mapping takes part
 * in the life of its VMAs (include/linux/mm.h). mmlab's drivers (PCI BARs,
 * RDMA, vfio) implement this; the core calls the hooks at the same points
 * as the kernel: open on split and fork, close on unmap, may_split before a
 * split, fault on a missing PTE, name for /proc/PID/maps. File mappings
 * get theirs from f_op->mmap_prepare (file_operations.ts).
 * @module
 */

import type { Vma } from "./vma.ts";

/** vm_fault_t results (include/linux/mm_types.h). */
export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV |
  VM_FAULT_HWPOISON;

/** `struct vm_fault`, the part a driver's fault handler sees. */
export interface VmFault {
  /** The faulting VMA. */
  vma: Vma;
  /** Faulting address, page aligned. */
  address: number;
  /** Exact faulting address (for si_addr). */
  realAddress: number;
  /** File page offset of `address`. */
  pgoff: number;
  /** A write fault (FAULT_FLAG_WRITE). */
  write: boolean;
  /** FAULT_FLAG_TRIED: a retry after VM_FAULT_RETRY. */
  tried: boolean;
  /**
   * vmf->page: the pfn of the page ->fault found (a page-cache page), for
   * the core to map or copy (finish_fault / do_cow_fault); -1 when the
   * handler mapped nothing or installed the PTE itself. Unlike the
   * kernel's ->fault (which returns the page with a reference taken), the
   * handler takes no reference: the core takes the PTE's own when it maps
   * the page (a driver returning ZERO_PAGE or a dummy page, as
   * rdma_umap_fault does, just sets the pfn).
   */
  page: number;
  /**
   * handle_userfault() took the fault over (shmem_get_folio_gfp on a
   * page-cache miss of a VM_UFFD_MISSING VMA): the result is the
   * userfault's, not a retry of the file fault.
   */
  userfault?: boolean;
}

/**
 * What a ->fault would do, told without doing it: the handler's own
 * decision function, the one its ->fault then acts on, so that `explain`
 * (lib/trace/explain.ts) and the fault cannot disagree.
 */
export interface FaultPrediction {
  /** The kernel function modelled (`rdma_umap_fault`). */
  fn: string;
  /**
   * `map`: a pfn gets mapped at the address (by the handler, or by the core
   * from vmf->page); `sigbus`, `sigsegv`, `hwpoison`: that VM_FAULT_*.
   */
  result: "map" | "sigbus" | "sigsegv" | "hwpoison";
  /** The pfn mapped at the address; -1 for a page allocated by the fault (or none). */
  pfn: number;
  /** PTEs the one fault fills (a prefault, a huge entry); 0 unless `map`. */
  ptes: number;
  /** Why, in one clause. */
  why: string;
  /** The policy knobs the decision read, `knob=value`. */
  policies: string[];
}

/** `struct vm_operations_struct`: the callbacks a file or driver gives its VMAs. */
export interface VmOperations {
  /** The bracketed name shown in /proc/PID/maps (`[vdso]`), if any. */
  name?(vma: Vma): string | null;
  /** Called when a VMA is duplicated (split, fork). */
  open?(vma: Vma): void;
  /** Called when a VMA goes away; a VMA with close never merges away. */
  close?(vma: Vma): void;
  /** Returns 0 or -errno; special mappings refuse splits with -EINVAL. */
  maySplit?(vma: Vma, addr: number): number;
  /**
   * Returns a VM_FAULT_* code: 0 with `vmf.page` set for the core to map,
   * VM_FAULT_NOPAGE when the handler set the PTE itself (vmf_insert_pfn),
   * VM_FAULT_RETRY to be called again with `tried`.
   */
  fault?(vmf: VmFault): number;
  /**
   * Not a kernel hook: what ->fault would do for `vmf` now, without side
   * effects (the same decision ->fault acts on). A VMA without ->fault may
   * have one too, to say why it is SIGBUS.
   */
  predictFault?(vmf: VmFault): FaultPrediction;
  /** ->map_pages: map what is cheaply at hand around a read fault (fault-around). */
  mapPages?(vmf: VmFault): void;
  /**
   * ->page_mkwrite: a shared page is about to become writable. Its presence
   * makes shared mappings write-notify (vma_wants_writenotify).
   */
  pageMkwrite?(vmf: VmFault): number;
  /**
   * ->pfn_mkwrite: a write to a shared PTE with no struct page behind it
   * (special, or the zero page of a DAX hole): wp_pfn_shared() asks it
   * instead of making the PTE writable. VM_FAULT_NOPAGE when it installed
   * the PTE itself.
   */
  pfnMkwrite?(vmf: VmFault): number;
  /** mremap of this VMA; -errno to refuse. */
  mremap?(vma: Vma): number;
}

/**
 * mm/mmap.c vm_ops_needs_writenotify(): the mapping's vm_ops want to hear
 * of the first write to each page (->page_mkwrite), so shared pages are
 * mapped read-only until written (dirty tracking: ext4, not shmem).
 */
export function vmOpsNeedsWritenotify(ops: VmOperations | null): boolean {
  return ops !== null && ops.pageMkwrite !== undefined;
}
