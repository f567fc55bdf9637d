/**
 * The memory part of /proc/PID/status: fs/proc/task_mmu.c task_mem() and
 * mm/hugetlb.c hugetlb_report_usage(), as Linux 6.18 prints them
 * ("VmSize:\t    2400 kB"). A zombie has no mm, so none of these lines.
 *
 * VmPeak and VmHWM are left out: they are high-water marks the kernel
 * samples just before total_vm or RSS drops (hiwater_vm, hiwater_rss), and
 * mmlab does not keep that history.
 * @module
 */

import type { Process } from "./process.ts";
import { mmRss, pgtablesBytes, vmCounters } from "./stats.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

/** seq_put_decimal_ull_width(m, "Label:\t", kB, 8) then " kB". */
function line(label: string, kb: number): string {
  return `${label}:\t${String(kb).padStart(8, " ")} kB`;
}

/** Pages to kB (`<< (PAGE_SHIFT - 10)`). */
const kb = (pages: number): number => pages * (PAGE_SIZE / 1024);

/** The memory fields of /proc/PID/status in kB, keyed and ordered as the file prints them. */
export interface ProcStatus {
  /** Total mapped virtual size (total_vm). */
  VmSize: number;
  /** Locked virtual size (locked_vm). */
  VmLck: number;
  /** Pinned pages (pinned_vm). */
  VmPin: number;
  /** Resident set size: RssAnon + RssFile + RssShmem. */
  VmRSS: number;
  /** Resident anonymous pages (MM_ANONPAGES). */
  RssAnon: number;
  /** Resident file pages (MM_FILEPAGES). */
  RssFile: number;
  /** Resident shmem pages (MM_SHMEMPAGES). */
  RssShmem: number;
  /** Private writable non-stack size (data_vm). */
  VmData: number;
  /** Stack size (stack_vm). */
  VmStk: number;
  /** Text size: the pages of start_code..end_code. */
  VmExe: number;
  /** Executable mappings outside the text (exec_vm minus VmExe). */
  VmLib: number;
  /** Page table size (mm_pgtables_bytes()). */
  VmPTE: number;
  /** Swapped-out anonymous pages (MM_SWAPENTS). */
  VmSwap: number;
  /** Hugetlb pages mapped by this process (hugetlb_usage). */
  HugetlbPages: number;
}

/** The memory fields of /proc/PID/status; null for a zombie (no mm, no such lines). */
export function procStatus(p: Process): ProcStatus | null {
  if (!p.alive) return null;
  const mm = p.mm;
  const c = vmCounters(mm);
  const rss = mmRss(mm);
  // task_mem(): split executable areas between text and lib.
  const startCode = mm.startCode - (mm.startCode % PAGE_SIZE);
  const endCode = Math.ceil(mm.endCode / PAGE_SIZE) * PAGE_SIZE;
  const text = Math.min(endCode - startCode, c.execVm * PAGE_SIZE);
  const lib = c.execVm * PAGE_SIZE - text;
  return {
    VmSize: kb(c.totalVm),
    VmLck: kb(c.lockedVm),
    VmPin: kb(c.pinnedVm),
    VmRSS: kb(rss.anon + rss.file + rss.shmem),
    RssAnon: kb(rss.anon),
    RssFile: kb(rss.file),
    RssShmem: kb(rss.shmem),
    VmData: kb(c.dataVm),
    VmStk: kb(c.stackVm),
    VmExe: Math.floor(text / 1024),
    VmLib: Math.floor(lib / 1024),
    VmPTE: Math.floor(pgtablesBytes(mm) / 1024),
    // No swap device: MM_SWAPENTS is always 0.
    VmSwap: 0,
    // No hugetlb pages exist (nr_hugepages = 0), so no hugetlb mapping holds any.
    HugetlbPages: 0,
  };
}

/** The fields as task_mem() prints them (none for a zombie). */
export function renderProcStatus(s: ProcStatus | null): string[] {
  if (s === null) return [];
  return Object.entries(s).map(([label, value]) => line(label, value));
}

/** The Vm*, Rss* and HugetlbPages lines of /proc/PID/status. */
export function statusLines(p: Process): string[] {
  return renderProcStatus(procStatus(p));
}

/**
 * The memory fields and `Threads:` (task_sig(): signal->nr_threads, which
 * still counts a leader that exited before its threads), as the `status`
 * view shows them; null for a zombie. A leader that exited while its
 * threads run has no mm, so then only `Threads:` (task_mem() needs one).
 */
export type TaskStatus = Partial<ProcStatus> & { Threads: number };

/** {@link procStatus} with the thread count. */
export function taskStatus(p: Process): TaskStatus | null {
  if (!p.alive) return null;
  const mem = p.leader.alive ? procStatus(p) : null;
  return { ...mem, Threads: p.threads.length };
}

/** The lines of {@link taskStatus}: the memory lines, then `Threads:\tN`. */
export function renderTaskStatus(s: TaskStatus | null): string[] {
  if (s === null) return [];
  const { Threads, ...mem } = s;
  return [
    ...Object.entries(mem).map(([label, value]) => line(label, value as number)),
    `Threads:\t${Threads}`,
  ];
}
