/**
 * `ps -o pid,ppid,stat,vsz,rss,comm` for every process, in pid order, as
 * procps-ng 4.0.2 prints it on this machine:
 * ```
 *   PID  PPID STAT    VSZ   RSS COMMAND
 *     1     0 R      2504     0 prog
 *     2     1 Z         0     0 prog
 * ```
 * VSZ is task_vsize() (total_vm) in kB and RSS get_mm_rss() in kB, both 0
 * for a zombie (it has no mm); STAT is R (running) or Z (zombie), the only
 * states mmlab's processes have. Columns are right-aligned (PID, PPID, VSZ,
 * RSS) or left-aligned (STAT, COMMAND) to procps' widths; a value wider
 * than its column pushes the rest of the line right, and the following
 * columns give back their padding to catch up (✔ probed: a 20 GiB VSZ).
 * @module
 */

import type { Machine } from "../machine.ts";
import { mmRssPages, vmCounters } from "./stats.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

interface Column {
  header: string;
  width: number;
  right: boolean;
}

const COLUMNS: readonly Column[] = [
  { header: "PID", width: 5, right: true },
  { header: "PPID", width: 5, right: true },
  { header: "STAT", width: 4, right: false },
  { header: "VSZ", width: 6, right: true },
  { header: "RSS", width: 5, right: true },
  { header: "COMMAND", width: 0, right: false },
];

/** One output line: procps pads each field, absorbing earlier overflow. */
function row(values: readonly string[]): string {
  let out = "";
  let debt = 0; // columns the line is ahead of where it should be
  values.forEach((v, i) => {
    const col = COLUMNS[i];
    const last = i === values.length - 1;
    if (i > 0) out += " ";
    let pad = col.width - v.length - debt;
    if (pad >= 0) debt = 0;
    else {
      debt = -pad;
      pad = 0;
    }
    if (col.right) out += " ".repeat(pad) + v;
    else out += v + (last ? "" : " ".repeat(pad));
  });
  return out;
}

/** One process of the `ps` table, as data. */
export interface PsRow {
  pid: number;
  ppid: number;
  /** `R` running, `Z` zombie. */
  stat: "R" | "Z";
  /** task_vsize() in kB (0 for a zombie). */
  vsz: number;
  /** get_mm_rss() in kB (0 for a zombie). */
  rss: number;
  /** The command name. */
  comm: string;
}

/** The process table as data, in pid order. */
export function psRows(m: Machine): PsRow[] {
  const out: PsRow[] = [];
  const pids = [...m.procs.keys()].sort((a, b) => a - b);
  for (const pid of pids) {
    const p = m.procs.get(pid)!;
    let vsz = 0, rss = 0;
    if (p.alive) {
      vsz = vmCounters(p.mm).totalVm * (PAGE_SIZE / 1024);
      rss = mmRssPages(p.mm) * (PAGE_SIZE / 1024);
    }
    out.push({ pid: p.pid, ppid: p.ppid, stat: p.alive ? "R" : "Z", vsz, rss, comm: p.comm });
  }
  return out;
}

/** The rows as procps prints them, after a header line. */
export function renderPsRows(rows: readonly PsRow[]): string[] {
  const out = [row(COLUMNS.map((c) => c.header))];
  for (const r of rows) {
    out.push(row([String(r.pid), String(r.ppid), r.stat, String(r.vsz), String(r.rss), r.comm]));
  }
  return out;
}

/** The process table, one line per process after a header line. */
export function psLines(m: Machine): string[] {
  return renderPsRows(psRows(m));
}
