/**
 * `ps -o pid,ppid,stat,vsz,rss,comm` for every process, in pid order, as
 * procps-ng 4.0.2 prints it on this machine:
 * ```
 *   PID  PPID STAT    VSZ   RSS COMMAND
 *     1     0 R      2504     0 prog
 *     2     1 Z         0     0 prog
 * ```
 * VSZ is task_vsize() (total_vm) in kB and RSS get_mm_rss() in kB, both 0
 * for a zombie (it has no mm); STAT is the group leader's state (R, S, D
 * or Z: lib/proc/task.ts) followed by `l` when the process has more than
 * one thread, as procps adds it. Columns are right-aligned (PID, PPID, VSZ,
 * RSS) or left-aligned (STAT, COMMAND) to procps' widths; a value wider
 * than its column pushes the rest of the line right, and the following
 * columns give back their padding to catch up (✔ probed: a 20 GiB VSZ).
 * @module
 */

import type { Machine } from "../machine.ts";
import { mmRssPages, vmCounters } from "./stats.ts";
import { PAGE_SIZE } from "../abi/layout.ts";
import { STAT_LETTER, type Task } from "./task.ts";

/**
 * A task's STAT as procps prints it: its state letter, and `l` when its
 * process is multi-threaded. A process that has exited is Z whatever its
 * leader was doing.
 */
export function taskStat(t: Task): string {
  const letter = t.group.alive ? STAT_LETTER[t.state] : "Z";
  return letter + (t.group.alive && t.group.threads.length > 1 ? "l" : "");
}

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
function row(values: readonly string[], columns: readonly Column[] = COLUMNS): string {
  let out = "";
  let debt = 0; // columns the line is ahead of where it should be
  values.forEach((v, i) => {
    const col = columns[i];
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
  /** The thread group id. */
  pid: number;
  /** The parent's pid. */
  ppid: number;
  /** The leader's `R`, `S`, `D` or `Z`, then `l` if multi-threaded. */
  stat: string;
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
    // A leader that exited before its threads has no mm (exit_mm): 0 and 0.
    if (p.alive && p.leader.alive) {
      vsz = vmCounters(p.mm).totalVm * (PAGE_SIZE / 1024);
      rss = mmRssPages(p.mm) * (PAGE_SIZE / 1024);
    }
    out.push({ pid: p.pid, ppid: p.ppid, stat: taskStat(p.leader), vsz, rss, comm: p.comm });
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

/**
 * The threads of every process: `ps -L -o pid,tid,stat,wchan:20,comm`,
 * one line per task in (pid, tid) order:
 * ```
 *   PID   TID STAT WCHAN                COMMAND
 *     1     1 Sl   -                    prog
 *     1     2 Sl   hrtimer_nanosleep    prog
 * ```
 * WCHAN is the kernel function a sleeping task waits in (/proc/TID/wchan),
 * `-` for a task that is running.
 */
export interface ThreadRow {
  /** The thread group id. */
  pid: number;
  /** The thread id. */
  tid: number;
  /** The thread's `R`, `S`, `D` or `Z`, then `l` if multi-threaded. */
  stat: string;
  /** The wait channel, or "-". */
  wchan: string;
  /** The command name (task->comm). */
  comm: string;
}

/** The threads as data, in (pid, tid) order. */
export function threadRows(m: Machine): ThreadRow[] {
  const out: ThreadRow[] = [];
  const pids = [...m.procs.keys()].sort((a, b) => a - b);
  for (const pid of pids) {
    const p = m.procs.get(pid)!;
    const ts = p.threads.slice().sort((a, b) => a.tid - b.tid);
    for (const t of ts) {
      const wchan = p.alive && t.wchan !== null ? t.wchan : "-";
      out.push({ pid, tid: t.tid, stat: taskStat(t), wchan, comm: p.comm });
    }
  }
  return out;
}

const THREAD_COLUMNS: readonly Column[] = [
  { header: "PID", width: 5, right: true },
  { header: "TID", width: 5, right: true },
  { header: "STAT", width: 4, right: false },
  { header: "WCHAN", width: 20, right: false },
  { header: "COMMAND", width: 0, right: false },
];

/** The thread rows as `ps -L -o pid,tid,stat,wchan:20,comm` prints them. */
export function renderThreadRows(rows: readonly ThreadRow[]): string[] {
  const out = [row(THREAD_COLUMNS.map((c) => c.header), THREAD_COLUMNS)];
  for (const r of rows) {
    out.push(row([String(r.pid), String(r.tid), r.stat, r.wchan, r.comm], THREAD_COLUMNS));
  }
  return out;
}
