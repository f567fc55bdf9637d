/**
 * /proc/PID/pagemap: fs/proc/task_mmu.c pagemap_read() ->
 * pagemap_pmd_range() -> pte_to_pagemap_entry(), one u64 per virtual page
 * (Documentation/admin-guide/mm/pagemap.rst):
 * ```
 *   63 62 61 60..59 58 57 56 55 54 .............................. 0
 *  +--+--+--+------+--+--+--+--+-----------------------------------+
 *  |P |S |F |  0   |G |W |E |SD|  PFN (present) / swap type+offset |
 *  +--+--+--+------+--+--+--+--+-----------------------------------+
 * ```
 * P present, S swapped (also a PTE marker: a swap entry), F file page or shared anonymous (the folio is not
 * anon), G guard region (MADV_GUARD_INSTALL marker), W uffd-wp, E mapped
 * exactly once (PM_MMAP_EXCLUSIVE), SD soft-dirty. The PFN shows only to
 * CAP_SYS_ADMIN (root); others read 0 there. A page nothing maps (a hole,
 * or a page of a VMA never faulted) reads 0: the view lists the pages with
 * a non-zero entry only, so it costs what the page table holds, not the
 * length of the range.
 *
 * Special PTEs (the zero page, PFN maps) have no struct page for
 * vm_normal_page(): present and PFN only. mmlab has no swap device and no
 * CONFIG_MEM_SOFT_DIRTY VMAs (VmFlags shows no `sd`), so S is set for
 * markers only and SD never.
 * @module
 */

import type { Process } from "./process.ts";
import {
  MARKER_GUARD,
  MARKER_POISON,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_SOFT_DIRTY,
  PTE_SPECIAL,
  PTE_UFFD_WP,
} from "../mm/pagetable.ts";
import { PG_ANON } from "../phys/frames.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

export const PM_PFRAME_MASK = (1n << 55n) - 1n;
export const PM_SOFT_DIRTY = 1n << 55n;
export const PM_MMAP_EXCLUSIVE = 1n << 56n;
export const PM_UFFD_WP = 1n << 57n;
export const PM_GUARD_REGION = 1n << 58n;
export const PM_FILE = 1n << 61n;
export const PM_SWAP = 1n << 62n;
export const PM_PRESENT = 1n << 63n;
/** include/linux/swap.h: MAX_SWAPFILES_SHIFT, and the swap type of PTE markers on x86-64. */
const MAX_SWAPFILES_SHIFT = 5n;
const SWP_PTE_MARKER = 31n;

/** One page's pagemap entry, decoded. */
export interface PagemapEntry {
  /** The virtual address of the page. */
  addr: number;
  /** The u64 as 16 hex digits. */
  entry: string;
  /** PM_PRESENT: the page is in RAM. */
  present: boolean;
  /** PM_SWAP: a swap or marker entry. */
  swapped: boolean;
  /** PM_FILE: a file page or shared anonymous memory. */
  file: boolean;
  /** PM_MMAP_EXCLUSIVE: the frame is mapped exactly once. */
  exclusive: boolean;
  /** PM_SOFT_DIRTY: written since soft-dirty was cleared. */
  softDirty: boolean;
  /** PM_UFFD_WP: userfaultfd write-protected. */
  uffdWp: boolean;
  /** PM_GUARD_REGION: a MADV_GUARD_INSTALL guard marker. */
  guard: boolean;
  /** The frame (root only; 0 otherwise or when not present). */
  pfn: number;
}

/** The pagemap of [start, end): the pages with a non-zero entry, in address order. */
export function pagemapEntries(p: Process, start: number, end: number): PagemapEntry[] {
  const mm = p.mm;
  const frames = p.machine.frames;
  const showPfn = p.machine.config.root;
  const out: PagemapEntry[] = [];
  const s = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
  const e = Math.ceil(end / PAGE_SIZE) * PAGE_SIZE;
  for (let v = mm.vmas.find(s); v !== null && v.start < e; v = v.next) {
    const lo = Math.max(v.start, s) / PAGE_SIZE, hi = Math.min(v.end, e) / PAGE_SIZE;
    mm.pt.forEachTable(lo, hi, (t, base, a, b) => {
      for (let i = a; i < b; i++) {
        const bits = t.bits[i];
        if (bits === 0) continue;
        let flags = 0n;
        let frame = 0n;
        if (bits & PTE_PRESENT) {
          flags |= PM_PRESENT;
          if (showPfn) frame = BigInt(t.pfn[i]);
          if (bits & PTE_SOFT_DIRTY) flags |= PM_SOFT_DIRTY;
          if (bits & PTE_UFFD_WP) flags |= PM_UFFD_WP;
          const pfn = t.pfn[i];
          // vm_normal_page(): none for special PTEs (zero page, PFN maps).
          if (!(bits & PTE_SPECIAL) && pfn >= 0 && pfn < frames.nframes) {
            if (!(frames.flags[pfn] & PG_ANON)) flags |= PM_FILE;
            if (frames.mapcount[pfn] === 1) flags |= PM_MMAP_EXCLUSIVE;
          }
        } else if (bits & PTE_MARKER) {
          // A PTE marker is a swap entry of type SWP_PTE_MARKER whose offset
          // holds the marker bits (PTE_MARKER_UFFD_WP 1, _POISONED 2,
          // _GUARD 4): PM_SWAP, and for root the frame field shows
          // type | offset << MAX_SWAPFILES_SHIFT. Checked on 6.18: a guard
          // page reads 0x440000000000009f.
          let marker = 0n;
          if (t.pfn[i] === MARKER_GUARD) marker |= 4n;
          if (t.pfn[i] === MARKER_POISON) marker |= 2n;
          if (bits & PTE_UFFD_WP) marker |= 1n;
          flags |= PM_SWAP;
          if (showPfn) frame = SWP_PTE_MARKER | (marker << MAX_SWAPFILES_SHIFT);
          if (marker & 4n) flags |= PM_GUARD_REGION;
          if (marker & 1n) flags |= PM_UFFD_WP;
        }
        const entry = flags | (frame & PM_PFRAME_MASK);
        if (entry !== 0n) out.push(decodePagemapEntry((base + i) * PAGE_SIZE, entry));
      }
    });
  }
  return out;
}

/** An entry's bits by name (the u64 as the file holds it). */
export function decodePagemapEntry(addr: number, entry: bigint): PagemapEntry {
  return {
    addr,
    entry: entry.toString(16).padStart(16, "0"),
    present: (entry & PM_PRESENT) !== 0n,
    swapped: (entry & PM_SWAP) !== 0n,
    file: (entry & PM_FILE) !== 0n,
    exclusive: (entry & PM_MMAP_EXCLUSIVE) !== 0n,
    softDirty: (entry & PM_SOFT_DIRTY) !== 0n,
    uffdWp: (entry & PM_UFFD_WP) !== 0n,
    guard: (entry & PM_GUARD_REGION) !== 0n,
    pfn: (entry & PM_PRESENT) !== 0n ? Number(entry & PM_PFRAME_MASK) : 0,
  };
}

/**
 * One line per entry: address, the u64 in hex, the bits set by name and
 * the PFN; then how many of the range's pages read 0.
 */
export function renderPagemap(rows: readonly PagemapEntry[], pages: number): string[] {
  const lines = rows.map((r) => {
    const names: string[] = [];
    if (r.present) names.push("present");
    if (r.swapped) names.push("swapped");
    if (r.file) names.push("file");
    if (r.exclusive) names.push("exclusive");
    if (r.softDirty) names.push("soft-dirty");
    if (r.uffdWp) names.push("uffd-wp");
    if (r.guard) names.push("guard");
    const pfn = r.present ? ` pfn=0x${r.pfn.toString(16)}` : "";
    return `${r.addr.toString(16)} ${r.entry} ${names.join(" ")}${pfn}`;
  });
  const zero = pages - rows.length;
  if (zero > 0) lines.push(`(${zero} of ${pages} pages read 0: not mapped)`);
  return lines;
}
