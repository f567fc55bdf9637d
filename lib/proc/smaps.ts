/**
 * /proc/PID/smaps: fs/proc/task_mmu.c show_smap() for every VMA, then the
 * [vsyscall] gate area, in the layout of Linux 6.18.44 on x86-64 (THP
 * "madvise", shmem THP "never", no protection keys on this machine's CPU,
 * so no `ProtectionKey:` line). linux-mm.md §10.
 *
 * Field layout (seq_put_decimal_ull_width(.., 8) after a 16-column label):
 * ```
 * Rss:                   8 kB
 * Private_Hugetlb:        0 kB      (17-column label, width 7)
 * THPeligible:           0
 * VmFlags: rd wr mr mw me ac
 * ```
 * @module
 */

import type { Process } from "./process.ts";
import type { Vma } from "../mm/vma.ts";
import { type MapsEntry, mapsEntry, renderMapsEntry, VSYSCALL_ENTRY } from "./maps.ts";
import { VM_EXEC, VM_HUGEPAGE, VM_NOHUGEPAGE, vmFlagsText } from "../mm/vm_flags.ts";
import { emptyStats, type MemSizeStats, PSS_SHIFT, smapGatherStats } from "./stats.ts";
import { PAGE_SIZE, PMD_SIZE } from "../abi/layout.ts";

/** A fixed-point PSS sum in bytes (`pss >> PSS_SHIFT`). */
function pssBytes(pss: number): number {
  return Math.floor(pss / 2 ** PSS_SHIFT);
}

/**
 * mm/huge_memory.c __thp_vma_allowable_orders(.., TVA_SMAPS, THP_ORDERS_ALL)
 * as it comes out on this machine: THP "madvise" with only the PMD size
 * (2 MiB) set to inherit, shmem THP "never", and file VMAs never eligible
 * (✔ probed: ext4 and memfd mappings with MADV_HUGEPAGE show 0). An
 * anonymous VMA is eligible when it has VM_HUGEPAGE, not VM_NOHUGEPAGE,
 * and thp_vma_suitable_order() finds a 2 MiB-aligned block inside it at
 * the highest such address (vm_end - PMD_SIZE rounded down). Whether an
 * anon_vma exists does not matter for smaps.
 */
export function thpEligible(v: Vma): boolean {
  if (v.file !== null || v.ops !== null) return false; // !vma_is_anonymous()
  const f = v.flags;
  if (!(f & VM_HUGEPAGE) || (f & VM_NOHUGEPAGE)) return false;
  const haddr = Math.floor((v.end - PMD_SIZE) / PMD_SIZE) * PMD_SIZE;
  return haddr >= v.start && haddr + PMD_SIZE <= v.end;
}

/**
 * The counters of one smaps entry in kB, keyed and ordered as the file
 * prints them (show_smap(), __show_smap()).
 */
export interface SmapsCounters {
  /** Length of the VMA. */
  Size: number;
  /** Page size the kernel uses for the VMA (vma_kernel_pagesize()). */
  KernelPageSize: number;
  /** Page size the MMU uses for the VMA (vma_mmu_pagesize()). */
  MMUPageSize: number;
  /** Resident set: pages currently mapped. */
  Rss: number;
  /** Proportional set: each page divided by its mapcount. */
  Pss: number;
  /** Proportional share of dirty pages. */
  Pss_Dirty: number;
  /** Clean pages mapped more than once. */
  Shared_Clean: number;
  /** Dirty pages mapped more than once. */
  Shared_Dirty: number;
  /** Clean pages mapped only here. */
  Private_Clean: number;
  /** Dirty pages mapped only here. */
  Private_Dirty: number;
  /** Pages marked referenced or accessed. */
  Referenced: number;
  /** Anonymous pages. */
  Anonymous: number;
  /** KSM-merged pages. */
  KSM: number;
  /** Pages marked lazyfree by MADV_FREE. */
  LazyFree: number;
  /** Anonymous THPs mapped by PMD. */
  AnonHugePages: number;
  /** Shmem THPs mapped by PMD. */
  ShmemPmdMapped: number;
  /** File THPs mapped by PMD. */
  FilePmdMapped: number;
  /** Hugetlb pages mapped more than once. */
  Shared_Hugetlb: number;
  /** Hugetlb pages mapped only here. */
  Private_Hugetlb: number;
  /** Swapped-out anonymous pages. */
  Swap: number;
  /** Proportional share of swapped-out pages. */
  SwapPss: number;
  /** Pss of the VMA if it is VM_LOCKED, else 0. */
  Locked: number;
}

/** One VMA's part of /proc/PID/smaps, as data. */
export interface SmapsEntry {
  /** The VMA's maps line as data. */
  readonly vma: MapsEntry;
  /** The counters, in kB. */
  readonly kb: SmapsCounters;
  /** THPeligible: whether a PMD-sized THP could back part of the VMA. */
  readonly thpEligible: boolean;
  /** VmFlags: the two-letter mnemonics of the VMA's flags, lowest bit first. */
  readonly vmFlags: string[];
}

/** Bytes to kB as SEQ_PUT_DEC prints them. */
const kb = (bytes: number): number => Math.floor(bytes / 1024);

/** show_smap() from `mss` and the VMA's size, eligibility and flags. */
function smapEntry(
  vma: MapsEntry,
  sizeBytes: number,
  mss: MemSizeStats,
  eligible: boolean,
  flags: number,
): SmapsEntry {
  return {
    vma,
    kb: {
      Size: kb(sizeBytes),
      KernelPageSize: kb(PAGE_SIZE), // vma_kernel_pagesize()
      MMUPageSize: kb(PAGE_SIZE), // vma_mmu_pagesize()
      // __show_smap()
      Rss: kb(mss.resident),
      Pss: kb(pssBytes(mss.pss)),
      Pss_Dirty: kb(pssBytes(mss.pssDirty)),
      Shared_Clean: kb(mss.sharedClean),
      Shared_Dirty: kb(mss.sharedDirty),
      Private_Clean: kb(mss.privateClean),
      Private_Dirty: kb(mss.privateDirty),
      Referenced: kb(mss.referenced),
      Anonymous: kb(mss.anonymous),
      KSM: 0,
      LazyFree: kb(mss.lazyfree),
      AnonHugePages: 0,
      ShmemPmdMapped: 0,
      FilePmdMapped: 0,
      Shared_Hugetlb: 0,
      Private_Hugetlb: 0,
      Swap: 0,
      SwapPss: 0,
      Locked: kb(pssBytes(mss.pssLocked)),
    },
    thpEligible: eligible,
    // show_smap_vma_flags()
    vmFlags: vmFlagsText(flags).split(" ").filter((m) => m !== ""),
  };
}

/** The smaps entry of one VMA. */
export function smapsEntry(v: Vma): SmapsEntry {
  return smapEntry(mapsEntry(v), v.end - v.start, smapGatherStats(v), thpEligible(v), v.flags);
}

/**
 * The whole of /proc/PID/smaps as data: one entry per VMA, then the
 * [vsyscall] gate area. A zombie has no mm: no entries.
 */
export function smapsEntries(p: Process): SmapsEntry[] {
  if (!p.alive) return [];
  const out: SmapsEntry[] = [];
  for (let v = p.mm.vmas.first; v !== null; v = v.next) out.push(smapsEntry(v));
  // The gate VMA (arch/x86/entry/vsyscall/vsyscall_64.c gate_vma): VM_EXEC only, no pages.
  out.push(smapEntry(VSYSCALL_ENTRY, PAGE_SIZE, emptyStats(), false, VM_EXEC));
  return out;
}

/** show_smap(): an entry's lines, its maps line first. */
export function renderSmapsEntry(e: SmapsEntry): string[] {
  const out = [renderMapsEntry(e.vma)];
  for (const [label, value] of Object.entries(e.kb)) {
    // SEQ_PUT_DEC: the label padded to 16 columns, the value to 8; the
    // kernel writes "Private_Hugetlb: " (17 columns), then the value in 7.
    out.push(
      label === "Private_Hugetlb"
        ? "Private_Hugetlb: " + String(value).padStart(7, " ") + " kB"
        : (label + ":").padEnd(16, " ") + String(value).padStart(8, " ") + " kB",
    );
  }
  out.push("THPeligible:    " + (e.thpEligible ? "1" : "0").padStart(8, " "));
  out.push("VmFlags: " + e.vmFlags.map((m) => m + " ").join(""));
  return out;
}

/** show_smap() for one VMA: its maps line and fields. */
export function smapLines(v: Vma): string[] {
  return renderSmapsEntry(smapsEntry(v));
}

/**
 * The whole of /proc/PID/smaps, one string per line. A zombie has no mm:
 * the file reads empty.
 */
export function smapsLines(p: Process): string[] {
  return smapsEntries(p).flatMap(renderSmapsEntry);
}
