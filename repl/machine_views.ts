/**
 * Every view of an emulated machine as text, keyed by what it shows
 * (`ps`, `maps 1`, `pages 1`, `frames`, `lspci`, `vmstat`, ...), read through the
 * public API (mod.ts). Two machines in the same state give the same map;
 * `restore` is tested with it and `diff` compares two of them.
 * @module
 */

import {
  checkInvariants,
  framesView,
  isPageRun,
  lspciEntries,
  type Machine,
  mapsEntries,
  meminfo,
  type PageEntry,
  pageRows,
  psRows,
  renderFrames,
  renderLspci,
  renderMapsEntry,
  renderMeminfo,
  renderPsRows,
  renderSmapsEntry,
  renderTaskStatus,
  renderThreadRows,
  renderVmstat,
  smapsEntries,
  type SmapsEntry,
  taskStatus,
  threadRows,
  vmstat,
} from "../mod.ts";

/** The machine-wide views, in the order they print. */
const MACHINE_VIEWS: readonly [string, (m: Machine) => string[]][] = [
  ["ps", (m) => renderPsRows(psRows(m))],
  ["threads", (m) => renderThreadRows(threadRows(m))],
  ["meminfo", (m) => renderMeminfo(meminfo(m))],
  ["vmstat", (m) => renderVmstat(vmstat(m))],
  ["iomem", (m) => m.iomem.text()],
  ["lspci", (m) =>
    renderLspci(lspciEntries(m.pci), {
      verbose: 2,
      numeric: 0,
      kernel: true,
      tree: false,
      domains: false,
    })],
  ["frames", (m) => renderFrames(framesView(m))],
  ["dmesg", (m) => m.dmesg.format()],
  ["check", (m) => checkInvariants(m, { merged: false })],
];

/**
 * The views of `m`: the machine-wide ones, then for each live process (by
 * pid) its maps, smaps, status and the pages of every VMA (PTEs, frames,
 * their refcounts and mapcounts).
 */
export function machineViews(m: Machine): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, f] of MACHINE_VIEWS) out.set(name, f(m));
  for (const pid of [...m.procs.keys()].sort((a, b) => a - b)) {
    const p = m.procs.get(pid)!;
    if (!p.alive || !p.leader.alive) continue;
    const maps = mapsEntries(p);
    out.set(`maps ${pid}`, maps.map(renderMapsEntry));
    out.set(`smaps ${pid}`, smapsEntries(p).flatMap(smapsLines));
    out.set(`status ${pid}`, renderTaskStatus(taskStatus(p)));
    out.set(`pages ${pid}`, maps.flatMap((e) => pageRows(p, e.start, e.end).flatMap(pageLine)));
  }
  return out;
}

/** An smaps entry, each field line led by its VMA's range so that a changed field says where. */
function smapsLines(e: SmapsEntry): string[] {
  const [head, ...fields] = renderSmapsEntry(e);
  const range = `${e.vma.start.toString(16)}-${e.vma.end.toString(16)}`;
  return [head, ...fields.map((f) => `${range} ${f}`)];
}

/**
 * One line per page that is not empty, its fields as name=value, so a
 * line changes only when its page does (the `pages` table's column widths
 * depend on its other rows).
 */
function pageLine(e: PageEntry): string[] {
  if (isPageRun(e) || e.pte === "none" && !e.uffdWp) return [];
  const fields = Object.entries(e).filter(([k, v]) => k !== "addr" && v !== null && v !== false);
  const text = fields.map(([k, v]) =>
    v === true ? k : k === "pfn" ? `pfn=${(v as number).toString(16)}` : `${k}=${v}`
  );
  return [`${e.addr.toString(16)} ${text.join(" ")}`];
}

/** Views shown whole when they are new or gone; the others by their line count. */
const SHOWN_WHOLE = /^(maps|ps|threads) /;

/**
 * What changed from views `a` to views `b`, compactly: for each view that
 * differs, a `--- VIEW` header, then `- LINE` for lines only in `a` and
 * `+ LINE` for lines only in `b` (each in its view's order; lines in both
 * are left out). A view only in one side prints whole. Empty: no change.
 */
export function diffViews(a: Map<string, string[]>, b: Map<string, string[]>): string[] {
  const out: string[] = [];
  const names = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  for (const name of names) {
    const la = a.get(name) ?? [];
    const lb = b.get(name) ?? [];
    const inA = counts(la);
    const inB = counts(lb);
    const removed = onlyIn(la, inB);
    const added = onlyIn(lb, inA);
    if (removed.length === 0 && added.length === 0) continue;
    if ((!a.has(name) || !b.has(name)) && !SHOWN_WHOLE.test(`${name} `)) {
      out.push(`--- ${name}: ${a.has(name) ? "gone" : "new"} (${la.length + lb.length} lines)`);
      continue;
    }
    const note = !a.has(name) ? " (new)" : !b.has(name) ? " (gone)" : "";
    out.push(`--- ${name}${note}`);
    for (const l of removed) out.push(`- ${l}`);
    for (const l of added) out.push(`+ ${l}`);
  }
  return out;
}

function counts(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** The lines of `lines` beyond the number of times `other` holds them. */
function onlyIn(lines: readonly string[], other: Map<string, number>): string[] {
  const left = new Map(other);
  const out: string[] = [];
  for (const l of lines) {
    const n = left.get(l) ?? 0;
    if (n > 0) left.set(l, n - 1);
    else out.push(l);
  }
  return out;
}
