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
import { mapsLine, VSYSCALL_LINE } from "./maps.ts";
import { VM_EXEC, VM_HUGEPAGE, VM_NOHUGEPAGE, vmFlagsText } from "../mm/vm_flags.ts";
import { emptyStats, type MemSizeStats, PSS_SHIFT, smapGatherStats } from "./stats.ts";
import { PAGE_SIZE, PMD_SIZE } from "../abi/layout.ts";

/** SEQ_PUT_DEC(label, bytes): the label, then kB right-aligned in 8 columns. */
function dec(label: string, bytes: number): string {
  return label + String(Math.floor(bytes / 1024)).padStart(8, " ") + " kB";
}

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

/** The body of show_smap() after the maps line; `eligible` and `flags` for VmFlags. */
function smapBody(
  sizeBytes: number,
  mss: MemSizeStats,
  eligible: boolean,
  flags: number,
): string[] {
  return [
    dec("Size:           ", sizeBytes),
    dec("KernelPageSize: ", PAGE_SIZE), // vma_kernel_pagesize()
    dec("MMUPageSize:    ", PAGE_SIZE), // vma_mmu_pagesize()
    // __show_smap()
    dec("Rss:            ", mss.resident),
    dec("Pss:            ", pssBytes(mss.pss)),
    dec("Pss_Dirty:      ", pssBytes(mss.pssDirty)),
    dec("Shared_Clean:   ", mss.sharedClean),
    dec("Shared_Dirty:   ", mss.sharedDirty),
    dec("Private_Clean:  ", mss.privateClean),
    dec("Private_Dirty:  ", mss.privateDirty),
    dec("Referenced:     ", mss.referenced),
    dec("Anonymous:      ", mss.anonymous),
    dec("KSM:            ", 0),
    dec("LazyFree:       ", mss.lazyfree),
    dec("AnonHugePages:  ", 0),
    dec("ShmemPmdMapped: ", 0),
    dec("FilePmdMapped:  ", 0),
    dec("Shared_Hugetlb: ", 0),
    "Private_Hugetlb: " + "0".padStart(7, " ") + " kB",
    dec("Swap:           ", 0),
    dec("SwapPss:        ", 0),
    dec("Locked:         ", pssBytes(mss.pssLocked)),
    "THPeligible:    " + (eligible ? "1" : "0").padStart(8, " "),
    // show_smap_vma_flags()
    "VmFlags: " + vmFlagsText(flags),
  ];
}

/** show_smap() for one VMA: its maps line and fields. */
export function smapLines(v: Vma): string[] {
  const mss = smapGatherStats(v);
  return [mapsLine(v), ...smapBody(v.end - v.start, mss, thpEligible(v), v.flags)];
}

/**
 * The whole of /proc/PID/smaps, one string per line. A zombie has no mm:
 * the file reads empty.
 */
export function smapsLines(p: Process): string[] {
  if (!p.alive) return [];
  const out: string[] = [];
  for (let v = p.mm.vmas.first; v !== null; v = v.next) out.push(...smapLines(v));
  // The gate VMA (arch/x86/entry/vsyscall/vsyscall_64.c gate_vma): VM_EXEC only, no pages.
  out.push(VSYSCALL_LINE, ...smapBody(PAGE_SIZE, emptyStats(), false, VM_EXEC));
  return out;
}
