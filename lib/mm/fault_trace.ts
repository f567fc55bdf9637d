/**
 * The kernel trace lines of the page-fault handler (lib/mm/fault.ts), kept
 * out of line so that the handler's hot functions stay small when tracing
 * is off: fault.ts calls these only behind `if (tr !== null)`.
 * @module
 */

import type { KernelTrace } from "../trace/kernel_trace.ts";
import type { FrameTable } from "../phys/frames.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";
import type { Vma } from "./vma.ts";
import { PTE_SPECIAL } from "./pagetable.ts";
import { VM_SHARED, VM_WRITE } from "./vm_flags.ts";
import { VM_FAULT_ERROR, VM_FAULT_NOPAGE, VM_FAULT_RETRY, VM_FAULT_SIGBUS } from "./vm_ops.ts";
import { faultCodeText, hexAddr, pteText } from "./trace_text.ts";

/** handle_mm_fault() → handle_pte_fault(): the chain every fault step starts with. */
export const PTE_FAULT = "handle_mm_fault → handle_pte_fault";

/** The first step: the access and the PTE found. */
export function tracePteFault(tr: KernelTrace, write: boolean, bits: number, tried: boolean): void {
  tr.step(
    PTE_FAULT,
    `${write ? "write" : "read"}, ${pteText(bits)}${tried ? ", FAULT_FLAG_TRIED" : ""}`,
  );
}

/** do_wp_page() reuses the page. */
export function traceWpReuse(tr: KernelTrace, frames: FrameTable, pfn: number): void {
  tr.step(
    `${PTE_FAULT} → do_wp_page → wp_can_reuse_anon_folio → wp_page_reuse`,
    frames.flags[pfn] & PG_ANON_EXCLUSIVE
      ? `pfn ${hexAddr(pfn)} is PageAnonExclusive: reused, PTE made writable`
      : `pfn ${hexAddr(pfn)} has refcount 1: reused, PTE made writable`,
  );
}

/** do_wp_page() copies the page. */
export function traceWpCopy(tr: KernelTrace, frames: FrameTable, pfn: number, bits: number): void {
  tr.step(
    `${PTE_FAULT} → do_wp_page → wp_page_copy`,
    pfn === frames.zeroPfn
      ? "the zero page: a fresh zeroed page replaces it"
      : bits & PTE_SPECIAL
      ? `special pfn ${hexAddr(pfn)} (no struct page): copied to a new anonymous page`
      : frames.flags[pfn] & PG_ANON
      ? `pfn ${hexAddr(pfn)} shared (refcount ${frames.refcount[pfn]}, mapcount ${
        frames.mapcount[pfn]
      }): COW copy`
      : `page-cache pfn ${hexAddr(pfn)} in a private mapping: COW copy`,
  );
}

/** handle_userfault(VM_UFFD_MISSING) took a missing anonymous fault. */
export function traceUffdMissing(tr: KernelTrace, r: number): void {
  tr.step(
    `${PTE_FAULT} → do_pte_missing → do_anonymous_page → handle_userfault`,
    r & VM_FAULT_RETRY
      ? "VM_UFFD_MISSING: a uffd_msg is queued, the thread waits"
      : `VM_UFFD_MISSING: ${r & VM_FAULT_SIGBUS ? "VM_FAULT_SIGBUS" : `result ${r}`}`,
  );
}

/** do_anonymous_page() allocated a page (`np`), or found none (-1). */
export function traceNewAnon(tr: KernelTrace, vma: Vma, write: boolean, np: number): void {
  tr.step(
    `${PTE_FAULT} → do_pte_missing → do_anonymous_page → set_pte_at`,
    np < 0
      ? "alloc_anon_folio found no page: VM_FAULT_OOM"
      : `${write ? "write" : "read, mm.zeroPage=forbid"}: new zeroed page pfn ${hexAddr(np)}${
        vma.flags & VM_WRITE ? ", writable and dirty" : ""
      }`,
  );
}

/** do_read_fault, do_cow_fault or do_shared_fault: what do_fault() calls for this access. */
export function doFaultKind(vma: Vma, write: boolean): string {
  return write ? (vma.flags & VM_SHARED ? "do_shared_fault" : "do_cow_fault") : "do_read_fault";
}

/** do_fault() calls the vm_ops' ->fault. */
export function traceDoFault(tr: KernelTrace, vma: Vma, write: boolean, pgoff: number): void {
  tr.step(
    `${PTE_FAULT} → do_fault → ${doFaultKind(vma, write)} → __do_fault`,
    `vm_ops->fault of ${vma.file?.inode.path ?? "?"} at pgoff ${pgoff}`,
  );
}

/** What ->fault returned and what do_fault() does with it. */
export function traceFaultResult(
  tr: KernelTrace,
  vma: Vma,
  write: boolean,
  r: number,
  userfault: boolean,
  page: number,
): void {
  const at = `${PTE_FAULT} → do_fault → ${doFaultKind(vma, write)}`;
  if (userfault) {
    tr.step(
      `${at} → handle_userfault`,
      r & VM_FAULT_RETRY ? "a uffd_msg is queued, the thread waits" : `result ${r}`,
    );
  } else if (r & VM_FAULT_RETRY) {
    tr.step(`${at} → __do_fault`, "VM_FAULT_RETRY: the page was read from disk, fault again");
  } else if (r & VM_FAULT_ERROR) {
    tr.step(`${at} → __do_fault`, `->fault returned ${faultCodeText(r & VM_FAULT_ERROR)}`);
  } else if ((r & VM_FAULT_NOPAGE) || page < 0) {
    tr.step(`${at} → __do_fault`, "VM_FAULT_NOPAGE: ->fault installed the PTE itself");
  } else if (write && !(vma.flags & VM_SHARED)) {
    tr.step(`${at} → finish_fault`, `private copy of pfn ${hexAddr(page)}`, { pfn: page });
  } else {
    tr.step(`${at} → finish_fault → set_pte_range`, `page-cache pfn ${hexAddr(page)} mapped`, {
      pfn: page,
    });
  }
}
