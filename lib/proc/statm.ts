/**
 * /proc/PID/statm: fs/proc/array.c proc_pid_statm() with
 * fs/proc/task_mmu.c task_statm(), seven page counts on one line:
 *
 *     size resident shared text lib data dt
 *
 * size is total_vm; shared is MM_FILEPAGES + MM_SHMEMPAGES; resident adds
 * MM_ANONPAGES; text is the whole [start_code, end_code) rounded out to
 * pages (not capped by exec_vm, unlike status's VmExe); lib and dt are
 * always 0; data is data_vm + stack_vm. A process without an mm (a zombie)
 * reads "0 0 0 0 0 0 0".
 * @module
 */

import type { Process } from "./process.ts";
import { mmRss, vmCounters } from "./stats.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

/** The seven numbers of /proc/PID/statm, in pages, in the order the file prints them. */
export interface ProcStatm {
  /** Total program size (total_vm). */
  size: number;
  /** Resident pages (get_mm_rss()). */
  resident: number;
  /** Resident file and shmem pages. */
  shared: number;
  /** Text pages (end_code - start_code, rounded). */
  text: number;
  /** Always 0 since Linux 2.6. */
  lib: number;
  /** Data plus stack (data_vm + stack_vm). */
  data: number;
  /** Always 0 since Linux 2.6. */
  dt: number;
}

/** task_statm() for a live process; all zeros for a zombie. */
export function procStatm(p: Process): ProcStatm {
  const zero = { size: 0, resident: 0, shared: 0, text: 0, lib: 0, data: 0, dt: 0 };
  if (!p.alive) return zero;
  const mm = p.mm;
  const c = vmCounters(mm);
  const rss = mmRss(mm);
  const shared = rss.file + rss.shmem;
  // (PAGE_ALIGN(end_code) - (start_code & PAGE_MASK)) >> PAGE_SHIFT
  const endCode = Math.ceil(mm.endCode / PAGE_SIZE) * PAGE_SIZE;
  const startCode = mm.startCode - (mm.startCode % PAGE_SIZE);
  return {
    size: c.totalVm,
    resident: shared + rss.anon,
    shared,
    text: (endCode - startCode) / PAGE_SIZE,
    lib: 0,
    data: c.dataVm + c.stackVm,
    dt: 0,
  };
}

/** The statm line: seven decimals separated by blanks. */
export function renderProcStatm(s: ProcStatm): string[] {
  return [[s.size, s.resident, s.shared, s.text, s.lib, s.data, s.dt].join(" ")];
}
