/**
 * Short text for kernel trace lines (lib/trace/kernel_trace.ts): a VMA as
 * `start-end rw-p [VmFlags]`, an address in hex. Only called while a
 * tracer listens.
 * @module
 */

import type { Vma } from "./vma.ts";
import { errnoName } from "../abi/errno.ts";
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, vmFlagsText } from "./vm_flags.ts";
import {
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
} from "./pagetable.ts";
import { VM_FAULT_HWPOISON, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV } from "./vm_ops.ts";

/** A negative errno as trace text: `-EFAULT`. */
export function errnoText(err: number): string {
  return `-${errnoName(-err)}`;
}

/** `0x7f0000001000`. */
export function hexAddr(a: number): string {
  return "0x" + a.toString(16);
}

/** The maps permission column of a VMA: `rw-p`. */
export function vmaPerms(flags: number): string {
  return (flags & VM_READ ? "r" : "-") + (flags & VM_WRITE ? "w" : "-") +
    (flags & VM_EXEC ? "x" : "-") + (flags & VM_SHARED ? "s" : "p");
}

/** `vma 7f0000000000-7f0000004000 rw-p (rd wr mr mw me ac)`. */
export function vmaText(v: Vma): string {
  return `vma ${v.start.toString(16)}-${v.end.toString(16)} ${vmaPerms(v.flags)} (${
    vmFlagsText(v.flags).trim()
  })`;
}

/** The PTE bits that decide a fault: `pte none`, `pte present write dirty special`. */
export function pteText(bits: number): string {
  if (bits === 0) return "pte none";
  if (bits & PTE_MARKER) return `pte marker${bits & PTE_UFFD_WP ? " uffd-wp" : ""}`;
  if (!(bits & PTE_PRESENT)) return `pte not present (${hexAddr(bits)})`;
  let s = "pte present";
  if (bits & PTE_WRITE) s += " write";
  if (bits & PTE_DIRTY) s += " dirty";
  if (bits & PTE_SPECIAL) s += " special";
  if (bits & PTE_UFFD_WP) s += " uffd-wp";
  if (bits & PTE_PROTNONE) s += " protnone";
  return s;
}

/** VM_FAULT_* error bits by name: `VM_FAULT_SIGBUS`. */
export function faultCodeText(r: number): string {
  const names: string[] = [];
  if (r & VM_FAULT_OOM) names.push("VM_FAULT_OOM");
  if (r & VM_FAULT_SIGBUS) names.push("VM_FAULT_SIGBUS");
  if (r & VM_FAULT_HWPOISON) names.push("VM_FAULT_HWPOISON");
  if (r & VM_FAULT_SIGSEGV) names.push("VM_FAULT_SIGSEGV");
  return names.length === 0 ? hexAddr(r) : names.join("|");
}
