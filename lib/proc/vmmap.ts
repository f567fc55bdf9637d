/**
 * mmlab's own picture of an address space (no kernel file prints this; it
 * draws what /proc/PID/maps and the page table hold, in the manner of the
 * ASCII diagrams in Linux's tools/testing/vma tests): one column per page,
 * or per power-of-two run of pages, VMAs as runs of letters, and a second
 * row of marks for pinned, uffd-wp and guard-marked pages.
 *
 * ```
 * vmmap 7f0000000000-7f0000010000  1 page (4K) per column
 *               0       32K     64K
 *               |       |       |
 * 7f0000000000  AAAAaaaagggg....FFFF
 *               P   w
 * ```
 * {@link vmmap} returns the picture as data; {@link renderVmmap} prints it.
 *
 * Scale: the smallest power-of-two number of pages per column that fits
 * the width. Given a range, the scale depends on the range alone, so two
 * pictures of one range (before and after a split or a merge) line up
 * column for column. Without a range the whole user half [0, TASK_SIZE) is
 * drawn, and a gap too wide to draw at the scale is compressed into
 * {@link GAP_COLS} columns of `~`.
 *
 * Cost: the VMAs meeting the range and the page tables populated in it;
 * unmapped space is never walked page by page.
 * @module
 */

import type { Process } from "./process.ts";
import type { Vma } from "../mm/vma.ts";
import {
  has,
  VM_ACCESS_FLAGS,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_IO,
  VM_MAYSHARE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_WRITE,
} from "../mm/vm_flags.ts";
import { PTE_MARKER, PTE_PRESENT, PTE_UFFD_WP, type PteTable } from "../mm/pagetable.ts";
import { PAGE_SIZE, TASK_SIZE } from "../abi/layout.ts";
import { vmaName } from "./maps.ts";

/** What a VMA is, for its letter; see {@link vmaKind} for the order of the checks. */
export type VmaKind =
  | "device"
  | "dax"
  | "uffd"
  | "guard"
  | "stack"
  | "heap"
  | "shared"
  | "file"
  | "anon";

/** Each kind's letter (lower case; upper case once a page of the column is present). */
export const VMA_LETTERS: Readonly<Record<VmaKind, string>> = Object.freeze({
  anon: "a",
  file: "f",
  shared: "s",
  device: "d",
  dax: "x",
  guard: "g",
  uffd: "u",
  stack: "k",
  heap: "h",
});

const KIND_TEXT: Readonly<Record<VmaKind, string>> = Object.freeze({
  anon: "private anonymous",
  file: "private file",
  shared: "shared (MAP_SHARED file, shmem, shared anonymous)",
  device: "device (VM_PFNMAP / VM_IO / VM_MIXEDMAP)",
  dax: "DAX file (S_DAX)",
  guard: "guard (PROT_NONE)",
  uffd: "userfaultfd-registered",
  stack: "[stack]",
  heap: "[heap]",
});

/** Legend order. */
const KIND_ORDER: readonly VmaKind[] = [
  "anon",
  "file",
  "shared",
  "heap",
  "stack",
  "guard",
  "uffd",
  "device",
  "dax",
];

/** Columns a compressed gap takes. */
export const GAP_COLS = 2;

/** The default width of the picture, in columns (14 more for the address: 78 in all). */
export const VMMAP_WIDTH = 64;

/** Marks of the second row, strongest first: one per column. */
export const VMMAP_MARKS: ReadonlyArray<{ mark: string; key: MarkKey; text: string }> = Object
  .freeze([
    { mark: "P", key: "pinned", text: "a page is pinned (FOLL_PIN)" },
    { mark: "!", key: "marker", text: "a guard or poison PTE marker" },
    { mark: "w", key: "uffdWp", text: "a PTE is uffd-wp (write-protected by userfaultfd)" },
    {
      mark: "m",
      key: "missing",
      text: "uffd MISSING-registered and nothing present: a fault waits",
    },
  ]);

type MarkKey = "pinned" | "marker" | "uffdWp" | "missing";

/** One VMA meeting the range (its whole extent, not clipped). */
export interface VmmapVma {
  /** vm_start. */
  start: number;
  /** vm_end (exclusive). */
  end: number;
  /** What the VMA is ({@link vmaKind}). */
  kind: VmaKind;
  /** The letter the picture draws for the kind. */
  letter: string;
  /** As maps prints them: `rw-p`. */
  perms: string;
  /** As maps names it ("" for none). */
  name: string;
  /** Registered with userfaultfd for missing, wp or minor faults. */
  uffd: ("missing" | "wp" | "minor")[];
}

/** A stretch of columns: part of the range at the scale, or a compressed gap. */
export interface VmmapSegment {
  /** The first address. */
  start: number;
  /** The end address (exclusive). */
  end: number;
  /** The first column. */
  col: number;
  /** Number of columns. */
  cols: number;
  /** A compressed unmapped gap (drawn `~`), not to scale. */
  gap: boolean;
}

/** One column. */
export interface VmmapColumn {
  /** The address range the column stands for. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** The VMA covering the most of the column, `none` if none does, `gap` for a compressed gap. */
  kind: VmaKind | "none" | "gap";
  /** Pages of the column inside VMAs. */
  mapped: number;
  /** Pages with a present PTE. */
  present: number;
  /** Present pages whose frame has FOLL_PIN pins. */
  pinned: number;
  /** PTEs with the uffd-wp bit. */
  uffdWp: number;
  /** Guard or poison PTE markers. */
  marker: number;
  /** Mapped pages of a uffd MISSING-registered VMA without a present PTE. */
  missing: number;
}

/** The picture as data. */
export interface Vmmap {
  /** The process drawn. */
  pid: number;
  /** Start of the range drawn. */
  start: number;
  /** End of the range drawn (exclusive). */
  end: number;
  /** Columns drawn. */
  width: number;
  /** Pages one column stands for. */
  pagesPerColumn: number;
  /** Gaps too wide for the scale are compressed (no range was given). */
  compressed: boolean;
  /** The stretches of columns, in address order. */
  segments: VmmapSegment[];
  /** The columns, left to right. */
  columns: VmmapColumn[];
  /** The VMAs meeting the range, in address order. */
  vmas: VmmapVma[];
  /** The kinds drawn in some column, in a fixed order. */
  legend: { letter: string; kind: VmaKind; text: string }[];
  /** The marks that appear, strongest first. */
  marks: { mark: string; text: string }[];
}

/**
 * What a VMA is, checked in this order: device (a PFN/IO/mixed map), DAX
 * file, userfaultfd-registered, guard (no access), [stack] (or
 * VM_GROWSDOWN), [heap], shared (VM_MAYSHARE), file, anonymous.
 */
export function vmaKind(v: Vma): VmaKind {
  const f = v.flags;
  if (f & (VM_PFNMAP | VM_IO | VM_MIXEDMAP)) return "device";
  if (v.file !== null && v.file.inode.dax) return "dax";
  if (uffdModes(f).length > 0) return "uffd";
  if ((f & VM_ACCESS_FLAGS) === 0) return "guard";
  if (f & VM_GROWSDOWN) return "stack";
  if (v.file === null && !v.ops?.name?.(v)) {
    // get_vma_name()'s [heap] and [stack] tests.
    const mm = v.mm;
    if (v.start < mm.brk && v.end > mm.startBrk) return "heap";
    if (v.start <= mm.startStack && mm.startStack <= v.end) return "stack";
  }
  if (f & VM_MAYSHARE) return "shared";
  if (v.file !== null) return "file";
  return "anon";
}

function uffdModes(f: number): ("missing" | "wp" | "minor")[] {
  const out: ("missing" | "wp" | "minor")[] = [];
  if (f & VM_UFFD_MISSING) out.push("missing");
  if (f & VM_UFFD_WP) out.push("wp");
  if (has(f, VM_UFFD_MINOR)) out.push("minor"); // bit 41: not for a bare &
  return out;
}

/** Options of {@link vmmap}. */
export interface VmmapOptions {
  /** The range (page-rounded outwards); without it, [0, TASK_SIZE) with gaps compressed. */
  start?: number;
  /** End of the range (exclusive). */
  end?: number;
  /** At most this many columns ({@link VMMAP_WIDTH}). */
  width?: number;
}

/** Page ranges [a, b) (vpns) of the VMAs meeting [sv, ev), clipped. */
function mappedRuns(p: Process, sv: number, ev: number): { vmas: Vma[]; runs: number[] } {
  const vmas: Vma[] = [];
  const runs: number[] = [];
  for (let v = p.mm.vmas.find(sv * PAGE_SIZE); v !== null && v.start < ev * PAGE_SIZE; v = v.next) {
    vmas.push(v);
    const a = Math.max(sv, v.start / PAGE_SIZE), b = Math.min(ev, v.end / PAGE_SIZE);
    if (runs.length > 0 && runs[runs.length - 1] === a) runs[runs.length - 1] = b;
    else runs.push(a, b);
  }
  return { vmas, runs };
}

/**
 * The pieces drawn to scale, as vpn pairs, at `ppc` pages per column:
 * with `compress`, a gap wider than GAP_COLS columns splits the range.
 * Returns the pieces and the columns they need, gaps included.
 */
function layout(
  sv: number,
  ev: number,
  runs: readonly number[],
  ppc: number,
  compress: boolean,
): { pieces: number[]; cols: number } {
  if (!compress || runs.length === 0) {
    return { pieces: [sv, ev], cols: Math.ceil((ev - sv) / ppc) };
  }
  const pieces: number[] = [];
  let cols = 0;
  let pa = -1; // start of the open piece
  let prevEnd = sv;
  const wide = (gap: number) => gap > GAP_COLS * ppc;
  for (let i = 0; i < runs.length; i += 2) {
    const a = runs[i], b = runs[i + 1];
    if (pa < 0) {
      if (wide(a - sv)) {
        cols += GAP_COLS;
        pa = a;
      } else pa = sv;
    } else if (wide(a - prevEnd)) {
      pieces.push(pa, prevEnd);
      cols += Math.ceil((prevEnd - pa) / ppc) + GAP_COLS;
      pa = a;
    }
    prevEnd = b;
  }
  if (wide(ev - prevEnd)) {
    pieces.push(pa, prevEnd);
    cols += Math.ceil((prevEnd - pa) / ppc) + GAP_COLS;
  } else {
    pieces.push(pa, ev);
    cols += Math.ceil((ev - pa) / ppc);
  }
  return { pieces, cols };
}

/**
 * The picture of [start, end) of `p`'s address space (see the module
 * comment for the scale and the compression of gaps). Preconditions:
 * start < end <= 2^47; both are rounded out to pages.
 */
export function vmmap(p: Process, opts: VmmapOptions = {}): Vmmap {
  const width = Math.max(GAP_COLS * 2 + 1, opts.width ?? VMMAP_WIDTH);
  const compress = opts.start === undefined;
  const sv = Math.floor((opts.start ?? 0) / PAGE_SIZE);
  const ev = Math.max(sv + 1, Math.ceil((opts.end ?? TASK_SIZE) / PAGE_SIZE));
  const { vmas, runs } = mappedRuns(p, sv, ev);

  // The smallest power of two that fits (2^36 pages covers 2^48 bytes: always fits).
  let ppc = 1;
  let lay = layout(sv, ev, runs, ppc, compress);
  while (lay.cols > width) {
    ppc *= 2;
    lay = layout(sv, ev, runs, ppc, compress);
  }

  // Segments and columns.
  const segments: VmmapSegment[] = [];
  const columns: VmmapColumn[] = [];
  const blank = (start: number, end: number, kind: VmmapColumn["kind"]): VmmapColumn => ({
    start,
    end,
    kind,
    mapped: 0,
    present: 0,
    pinned: 0,
    uffdWp: 0,
    marker: 0,
    missing: 0,
  });
  const gapSeg = (a: number, b: number) => {
    segments.push({
      start: a * PAGE_SIZE,
      end: b * PAGE_SIZE,
      col: columns.length,
      cols: GAP_COLS,
      gap: true,
    });
    for (let i = 0; i < GAP_COLS; i++) columns.push(blank(a * PAGE_SIZE, b * PAGE_SIZE, "gap"));
  };
  const pieces = lay.pieces;
  /** For each piece, its first column. */
  const pieceCol: number[] = [];
  let at = sv;
  for (let i = 0; i < pieces.length; i += 2) {
    const a = pieces[i], b = pieces[i + 1];
    if (a > at) gapSeg(at, a);
    const n = Math.ceil((b - a) / ppc);
    pieceCol.push(columns.length);
    segments.push({
      start: a * PAGE_SIZE,
      end: b * PAGE_SIZE,
      col: columns.length,
      cols: n,
      gap: false,
    });
    for (let c = 0; c < n; c++) {
      const ca = a + c * ppc;
      columns.push(blank(ca * PAGE_SIZE, Math.min(b, ca + ppc) * PAGE_SIZE, "none"));
    }
    at = b;
  }
  if (at < ev) gapSeg(at, ev);

  // Each VMA's share of the columns it meets: the largest share names the column.
  const best = new Float64Array(columns.length);
  const out: VmmapVma[] = [];
  let pi = 0;
  for (const v of vmas) {
    const kind = vmaKind(v);
    const modes = uffdModes(v.flags);
    const f = v.flags;
    out.push({
      start: v.start,
      end: v.end,
      kind,
      letter: VMA_LETTERS[kind],
      perms: (f & VM_READ ? "r" : "-") + (f & VM_WRITE ? "w" : "-") + (f & VM_EXEC ? "x" : "-") +
        (f & VM_MAYSHARE ? "s" : "p"),
      name: vmaName(v),
      uffd: modes,
    });
    const a = Math.max(sv, v.start / PAGE_SIZE), b = Math.min(ev, v.end / PAGE_SIZE);
    while (pieces[pi * 2 + 1] <= a) pi++;
    const base = pieces[pi * 2];
    for (let c = Math.floor((a - base) / ppc); base + c * ppc < b; c++) {
      const col = columns[pieceCol[pi] + c];
      const ca = Math.max(a, base + c * ppc), cb = Math.min(b, base + (c + 1) * ppc);
      col.mapped += cb - ca;
      if (cb - ca > best[pieceCol[pi] + c]) {
        best[pieceCol[pi] + c] = cb - ca;
        col.kind = kind;
      }
      if (f & VM_UFFD_MISSING) col.missing += cb - ca;
    }
  }

  // The page tables: present, pinned, uffd-wp and marker counts.
  const frames = p.machine.frames;
  for (let i = 0; i < pieces.length; i += 2) {
    const base = pieces[i], c0 = pieceCol[i / 2];
    p.mm.pt.forEachTable(base, pieces[i + 1], (t: PteTable, tb: number, lo: number, hi: number) => {
      for (let j = lo; j < hi; j++) {
        const bits = t.bits[j];
        if (bits === 0) continue;
        const col = columns[c0 + Math.floor((tb + j - base) / ppc)];
        if (bits & PTE_UFFD_WP) col.uffdWp++;
        if (bits & PTE_PRESENT) {
          col.present++;
          const pfn = t.pfn[j];
          if (pfn >= 0 && pfn < frames.nframes && frames.pincount[pfn] > 0) col.pinned++;
        } else if (bits & PTE_MARKER) col.marker++;
      }
    });
  }
  // A missing-registered page with a present PTE does not wait.
  for (const col of columns) {
    if (col.missing > 0) col.missing = Math.max(0, col.missing - col.present);
  }

  // The legend names the letters drawn (a VMA narrower than a column may not be).
  const kinds = new Set<string>(columns.map((c) => c.kind));
  const legend = KIND_ORDER.filter((k) => kinds.has(k)).map((k) => ({
    letter: VMA_LETTERS[k],
    kind: k,
    text: KIND_TEXT[k],
  }));
  const marks = VMMAP_MARKS.filter((m) => columns.some((c) => c[m.key] > 0)).map((m) => ({
    mark: m.mark,
    text: m.text,
  }));
  return {
    pid: p.pid,
    start: sv * PAGE_SIZE,
    end: ev * PAGE_SIZE,
    width: columns.length,
    pagesPerColumn: ppc,
    compressed: compress,
    segments,
    columns,
    vmas: out,
    legend,
    marks,
  };
}

const hex12 = (n: number): string => n.toString(16).padStart(12, "0");

/** 4K, 64K, 2M, 1G, 128T: a size in the largest unit that divides it (else K). */
export function sizeText(bytes: number): string {
  const units = ["K", "M", "G", "T", "P"];
  let n = bytes / 1024;
  let u = 0;
  while (u < units.length - 1 && n >= 1024 && n % 1024 === 0) {
    n /= 1024;
    u++;
  }
  return `${n}${units[u]}`;
}

/** A column's letter: the kind's letter, upper case when a page is present; `.` none, `~` gap. */
export function columnLetter(c: VmmapColumn): string {
  if (c.kind === "gap") return "~";
  if (c.kind === "none") return ".";
  const l = VMA_LETTERS[c.kind];
  return c.present > 0 ? l.toUpperCase() : l;
}

/** A column's mark: the strongest of {@link VMMAP_MARKS}, or a blank. */
export function columnMark(c: VmmapColumn): string {
  for (const m of VMMAP_MARKS) if (c[m.key] > 0) return m.mark;
  return " ";
}

/** The left margin: a 12-digit address and two blanks. */
const MARGIN = 14;

/** Ruler lines: labels (offsets, or addresses where gaps are compressed) and ticks. */
function ruler(m: Vmmap): string[] {
  const labels: string[] = [];
  const ticks: string[] = [];
  const put = (row: string[], col: number, s: string): boolean => {
    if (MARGIN + col + s.length > 80) return false;
    for (let i = Math.max(0, col - 1); i < col + s.length + 1; i++) {
      if (row[i] !== undefined && row[i] !== " ") return false;
    }
    for (let i = row.length; i < col; i++) row[i] = " ";
    for (let i = 0; i < s.length; i++) row[col + i] = s[i];
    return true;
  };
  if (!m.compressed) {
    const step = m.width <= 16 ? 4 : 8;
    const bytes = m.pagesPerColumn * PAGE_SIZE;
    for (let c = 0; c <= m.width; c += step) {
      if (put(labels, c, c === 0 ? "0" : sizeText(c * bytes))) put(ticks, c, "|");
    }
    if (m.width % step !== 0) {
      if (put(labels, m.width, sizeText(m.width * bytes))) put(ticks, m.width, "|");
    }
  } else {
    for (const s of m.segments) {
      if (s.gap) continue;
      if (put(labels, s.col, s.start.toString(16))) put(ticks, s.col, "|");
    }
  }
  const pad = " ".repeat(MARGIN);
  return [pad + labels.join("").trimEnd(), pad + ticks.join("").trimEnd()];
}

/**
 * The picture as text, at most 14 + width columns: a heading with the
 * scale, a ruler (offsets from the start, or the start addresses of the
 * pieces between compressed gaps), the row of letters after the start
 * address, the row of marks, then the legend; in compressed form also one
 * line per piece drawn.
 */
export function renderVmmap(m: Vmmap): string[] {
  const page = m.pagesPerColumn === 1
    ? "1 page (4K)"
    : `${m.pagesPerColumn} pages (${sizeText(m.pagesPerColumn * PAGE_SIZE)})`;
  const out = [
    `vmmap ${hex12(m.start)}-${hex12(m.end)}  ${page} per column` +
    (m.compressed ? ", gaps compressed (~)" : ""),
  ];
  out.push(...ruler(m));
  out.push(hex12(m.start) + "  " + m.columns.map(columnLetter).join(""));
  const marks = m.columns.map(columnMark).join("").trimEnd();
  if (marks !== "") out.push(" ".repeat(MARGIN) + marks);
  if (m.legend.length > 0) {
    out.push(
      "  " + m.legend.map((l) => `${l.letter} ${l.kind}`).join("  ") + "  . unmapped" +
        (m.compressed ? "  ~ gap" : ""),
    );
    out.push("  (upper case: a page of the column is present)");
  } else out.push("  (nothing mapped)");
  for (const k of m.marks) out.push(`  ${k.mark} ${k.text}`);
  if (m.compressed) {
    for (const s of m.segments) {
      if (s.gap) continue;
      out.push(
        `  col ${String(s.col).padStart(2)}: ${hex12(s.start)}-${hex12(s.end)} (${
          sizeText(s.end - s.start)
        })`,
      );
    }
  }
  return out;
}
