/**
 * mmlab's own picture of physical memory (no kernel file prints this; the
 * facts are struct page's: page_ref_count(), page_mapcount(), the pin
 * count, PageAnon and page->mapping): a grid of the frames of RAM, one cell
 * per frame or per power-of-two run of frames, a letter for the owner,
 * and for a small range one line per frame.
 *
 * ```
 * frames 0-262144  256 frames (1M) per cell
 *       0  kkkkkkkkA.......  (64 cells a row)
 * ```
 * Owners: kernel (PG_reserved), the zero page, anon, file (page cache of
 * an inode), shmem, pmem (the struct pages of persistent memory after RAM,
 * mapped directly by DAX), free; the list form adds the pids that map each frame
 * (after fork a shared frame has both, a frame copied on write one). Device memory (BARs, pmem) has no frame in RAM: it is
 * listed from the iomem tree after the grid.
 * @module
 */

import type { Machine } from "../machine.ts";
import {
  type FrameTable,
  PG_ANON,
  PG_FILE,
  PG_PMEM,
  PG_RESERVED,
  PG_SHMEM,
  PG_ZERO,
} from "../phys/frames.ts";
import { IORESOURCE_SYSRAM, type Resource } from "../phys/iomem.ts";
import { PAGE_SIZE, TASK_SIZE } from "../abi/layout.ts";
import { PTE_PRESENT, type PteTable } from "../mm/pagetable.ts";
import { sizeText } from "./vmmap.ts";

/** Who holds a frame of RAM. */
export type FrameOwner = "kernel" | "zero" | "anon" | "file" | "shmem" | "pmem" | "free";

/** Each owner's letter (upper case in the grid once a frame of the cell is mapped). */
export const FRAME_LETTERS: Readonly<Record<FrameOwner, string>> = Object.freeze({
  kernel: "k",
  zero: "z",
  anon: "a",
  file: "f",
  shmem: "s",
  pmem: "x",
  free: ".",
});

const OWNER_TEXT: Readonly<Record<FrameOwner, string>> = Object.freeze({
  kernel: "kernel (PG_reserved)",
  zero: "the shared zero page",
  anon: "anonymous",
  file: "file page cache",
  shmem: "shmem / shared anonymous",
  pmem: "persistent memory (ZONE_DEVICE pages of a DAX device)",
  free: "free",
});

const OWNERS: readonly FrameOwner[] = ["kernel", "zero", "anon", "file", "shmem", "pmem", "free"];

/** Cells a grid row holds, and rows at most. */
export const FRAMES_COLS = 64;
export const FRAMES_ROWS = 16;
/** Ranges of at most this many frames are also listed one a line. */
export const FRAMES_LIST_MAX = 64;

/** One cell of the grid. */
export interface FrameCell {
  /** The first frame and the number of frames. */
  pfn: number;
  /** Number of frames in the cell. */
  n: number;
  /** The owner of the most frames of the cell that are not free (free if all are). */
  owner: FrameOwner;
  /** Frames in use (not free; for pmem, with a reference). */
  inUse: number;
  /** Frames with a mapcount above 0. */
  mapped: number;
  /** Frames with FOLL_PIN pins. */
  pinned: number;
}

/** One frame, for the list form. */
export interface FrameRow {
  /** The frame number. */
  pfn: number;
  /** Who owns the frame. */
  owner: FrameOwner;
  /** The pids whose page tables map the frame (ascending). */
  pids: number[];
  /** file, shmem: the inode number; else null. */
  ino: number | null;
  /** page_ref_count(). */
  ref: number;
  /** page_mapcount(). */
  map: number;
  /** FOLL_PIN pins. */
  pin: number;
}

/** A device range of the physical address space (no frames of RAM). */
export interface DeviceRange {
  /** First physical address. */
  start: number;
  /** End physical address (exclusive). */
  end: number;
  /** The resource name, as /proc/iomem prints it. */
  name: string;
}

/** The picture as data. */
export interface FramesView {
  /** [start, end) in frame numbers. */
  start: number;
  /** End frame (exclusive). */
  end: number;
  /** Frames one cell stands for (a power of two). */
  framesPerCell: number;
  /** The grid, row by row. */
  cells: FrameCell[];
  /** One row per frame when the range has at most {@link FRAMES_LIST_MAX} frames, else null. */
  rows: FrameRow[] | null;
  /** The letters drawn, with their owners and meanings. */
  legend: { letter: string; owner: FrameOwner; text: string }[];
  /** The frame counts by owner in the range. */
  counts: Record<FrameOwner, number>;
  /** Device ranges (BARs, pmem, windows), leaves of the iomem tree outside RAM. */
  devices: DeviceRange[];
}

/** A frame's owner, from its flags (compare FrameTable.kind). */
export function frameOwner(frames: FrameTable, pfn: number): FrameOwner {
  const f = frames.flags[pfn];
  if (f & PG_PMEM) return "pmem";
  if (f & PG_ZERO) return "zero";
  if (f & PG_RESERVED) return "kernel";
  if (frames.refcount[pfn] === 0) return "free";
  if (f & PG_ANON) return "anon";
  if (f & PG_SHMEM) return "shmem";
  if (f & PG_FILE) return "file";
  return "anon";
}

/**
 * For each frame of [start, end), the pids of the live processes whose
 * page tables map it (present PTEs), ascending: the reverse map answered by
 * walking the populated page tables (compare mm/rmap.c rmap_walk, which
 * starts from the folio instead).
 */
function mappers(m: Machine, start: number, end: number): number[][] {
  const out: number[][] = [];
  for (let i = start; i < end; i++) out.push([]);
  const pids = [...m.procs.values()].filter((p) => p.alive).sort((a, b) => a.pid - b.pid);
  for (const p of pids) {
    p.mm.pt.forEachTable(0, TASK_SIZE / PAGE_SIZE, (t: PteTable, _b, lo, hi) => {
      for (let j = lo; j < hi; j++) {
        if (!(t.bits[j] & PTE_PRESENT)) continue;
        const pfn = t.pfn[j];
        if (pfn < start || pfn >= end) continue;
        const l = out[pfn - start];
        if (l[l.length - 1] !== p.pid) l.push(p.pid);
      }
    });
  }
  return out;
}

/** Leaves of the iomem tree that are not System RAM. */
function deviceRanges(r: Resource, out: DeviceRange[]): DeviceRange[] {
  for (const c of r.children) {
    if (c.flags & IORESOURCE_SYSRAM) continue;
    if (c.children.length > 0) deviceRanges(c, out);
    else out.push({ start: c.start, end: c.end + 1, name: c.name });
  }
  return out;
}

/** Options of {@link framesView}. */
export interface FramesOptions {
  /** The first frame (0) and the number of frames (to the end of RAM). */
  start?: number;
  /** Number of frames. */
  len?: number;
}

/**
 * The frames [start, start+len) of RAM as a grid of at most
 * FRAMES_COLS x FRAMES_ROWS cells. Precondition: the range lies in RAM.
 * Cost: one pass over the frames of the range.
 */
export function framesView(m: Machine, opts: FramesOptions = {}): FramesView {
  const frames = m.frames;
  const start = opts.start ?? 0;
  const end = start + (opts.len ?? frames.nframes - start);
  let fpc = 1;
  while (Math.ceil((end - start) / fpc) > FRAMES_COLS * FRAMES_ROWS) fpc *= 2;
  const counts: Record<FrameOwner, number> = {
    kernel: 0,
    zero: 0,
    anon: 0,
    file: 0,
    shmem: 0,
    pmem: 0,
    free: 0,
  };
  const cells: FrameCell[] = [];
  const tally = new Map<FrameOwner, number>();
  for (let a = start; a < end; a += fpc) {
    const b = Math.min(end, a + fpc);
    const cell: FrameCell = { pfn: a, n: b - a, owner: "free", inUse: 0, mapped: 0, pinned: 0 };
    tally.clear();
    for (let pfn = a; pfn < b; pfn++) {
      const o = frameOwner(frames, pfn);
      counts[o]++;
      if (o === "free") continue;
      tally.set(o, (tally.get(o) ?? 0) + 1);
      // An idle pmem page is the device's, not in use.
      if (o !== "pmem" || frames.refcount[pfn] > 0) cell.inUse++;
      if (frames.mapcount[pfn] > 0) cell.mapped++;
      if (frames.pincount[pfn] > 0) cell.pinned++;
    }
    let most = 0;
    for (const o of OWNERS) {
      const n = tally.get(o) ?? 0;
      if (n > most) {
        most = n;
        cell.owner = o;
      }
    }
    cells.push(cell);
  }
  let rows: FrameRow[] | null = null;
  if (end - start <= FRAMES_LIST_MAX) {
    const pids = mappers(m, start, end);
    rows = [];
    for (let pfn = start; pfn < end; pfn++) {
      const owner = frameOwner(frames, pfn);
      rows.push({
        pfn,
        owner,
        pids: pids[pfn - start],
        ino: owner === "file" || owner === "shmem" ? frames.owner[pfn] : null,
        ref: frames.refcount[pfn],
        map: frames.mapcount[pfn],
        pin: frames.pincount[pfn],
      });
    }
  }
  const legend = OWNERS.filter((o) => counts[o] > 0).map((o) => ({
    letter: FRAME_LETTERS[o],
    owner: o,
    text: OWNER_TEXT[o],
  }));
  return {
    start,
    end,
    framesPerCell: fpc,
    cells,
    rows,
    legend,
    counts,
    devices: deviceRanges(m.iomem.root, []).filter((d) => d.start >= frames.nframes * PAGE_SIZE),
  };
}

/** A cell's letter: P when a frame is pinned, else the owner's, upper case when one is mapped. */
export function cellLetter(c: FrameCell): string {
  if (c.pinned > 0) return "P";
  const l = FRAME_LETTERS[c.owner];
  return c.mapped > 0 ? l.toUpperCase() : l;
}

/** `anon`, `file:12` (the inode number), `kernel`, ... */
function ownerText(r: FrameRow): string {
  return r.ino !== null ? `${r.owner}:${r.ino}` : r.owner;
}

/** Left-aligned columns of the list: PFN, OWNER, PIDS. */
const LEFT = new Set([0, 1, 5]);

const hexw = (n: number, w: number) => n.toString(16).padStart(w, "0");

/**
 * The picture as text: a heading, the grid (each row after its first
 * frame number in hex), the legend and counts, the list form for a small
 * range, and with `devices` the device ranges.
 */
export function renderFrames(f: FramesView, opts: { devices?: boolean } = {}): string[] {
  const per = f.framesPerCell === 1
    ? "1 frame (4K)"
    : `${f.framesPerCell} frames (${sizeText(f.framesPerCell * PAGE_SIZE)})`;
  const out = [`frames ${f.start.toString(16)}-${f.end.toString(16)}  ${per} per cell`];
  const w = Math.max(5, (f.end - 1).toString(16).length);
  for (let i = 0; i < f.cells.length; i += FRAMES_COLS) {
    const row = f.cells.slice(i, i + FRAMES_COLS);
    out.push(`${hexw(row[0].pfn, w)}  ${row.map(cellLetter).join("")}`);
  }
  out.push(
    "  " + f.legend.map((l) => `${l.letter} ${l.owner} ${f.counts[l.owner]}`).join("  "),
    "  (upper case: a frame of the cell is mapped; P: one is pinned)",
  );
  if (f.rows !== null) {
    const table = [["PFN", "OWNER", "REF", "MAP", "PIN", "PIDS"]];
    for (const r of f.rows) {
      table.push([
        r.pfn.toString(16),
        ownerText(r),
        String(r.ref),
        String(r.map),
        String(r.pin),
        r.pids.length > 0 ? r.pids.join(",") : "-",
      ]);
    }
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table) {
      out.push(
        r.map((cell, c) => (LEFT.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
          .join("  ").trimEnd(),
      );
    }
  }
  for (const d of opts.devices ? f.devices : []) {
    out.push(`device ${hexw(d.start, 8)}-${hexw(d.end - 1, 8)} : ${d.name}`);
  }
  return out;
}
