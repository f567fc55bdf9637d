/**
 * The kernel trace lines of DAX faults (./dax.ts): the chain from
 * handle_mm_fault() down to ext4's DAX fault handler, fs/dax.c
 * dax_iomap_pte_fault(), or device-dax's. Only called while a tracer
 * listens (lib/trace/kernel_trace.ts).
 * @module
 */

import type { VmFault } from "../mm/vm_ops.ts";
import { doFaultKind, PTE_FAULT } from "../mm/fault_trace.ts";

/**
 * handle_mm_fault → ... → ext4_dax_fault → ext4_dax_huge_fault →
 * dax_iomap_fault → dax_iomap_pte_fault, reached through ->fault
 * (do_fault) or, for a write to the zero page of a hole in a shared
 * mapping, through ->pfn_mkwrite (do_wp_page → wp_pfn_shared).
 */
export function daxFaultChain(vmf: VmFault, mkwrite: boolean): string {
  const core = mkwrite
    ? `${PTE_FAULT} → do_wp_page → wp_pfn_shared`
    : `${PTE_FAULT} → do_fault → ${doFaultKind(vmf.vma, vmf.write)} → __do_fault`;
  return `${core} → ext4_dax_fault → ext4_dax_huge_fault → dax_iomap_fault → dax_iomap_pte_fault`;
}

/** handle_mm_fault → ... → dev_dax_fault → dev_dax_huge_fault → __dev_dax_pte_fault. */
export function devdaxFaultChain(vmf: VmFault): string {
  return `${PTE_FAULT} → do_fault → ${doFaultKind(vmf.vma, vmf.write)} → __do_fault → ` +
    "dev_dax_fault → dev_dax_huge_fault → __dev_dax_pte_fault";
}
