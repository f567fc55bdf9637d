/**
 * mmlab's own per-page view (no kernel file prints this): for each page of
 * [start, end), the page-table entry and the frame behind it, to watch
 * demand paging, the shared zero page, copy-on-write and pins at work.
 *
 * ```
 * ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
 * 7f0000000000  present  ZERO  r-      no     yes    yes        -    -    -  zero  -
 * 7f0000001000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
 * 7f0000002000  none     -     -       -      -      -          -    -    -  -     -
 * ```
 * - PTE: `none` (pte_none: nothing mapped yet), `present`, `protnone`
 *   (mapped, but every access faults: PROT_NONE), `marker` (not present,
 *   not none: KIND says `guard` or `poison`); `+uffd-wp` when
 *   write-protected by userfaultfd.
 * - PFN: the frame number in hex, or ZERO for the shared zero page.
 * - ACCESS: `rw` writable PTE, `r-` read-only (a write faults: COW, the
 *   zero page, dirty tracking, or a read-only VMA), `--` for protnone.
 * - DIRTY / YOUNG: the PTE's dirty and accessed bits. SPECIAL: no struct
 *   page is refcounted for it (zero page, PFN maps, kernel pages), so it
 *   counts in no Rss.
 * - REF / MAP / PIN: the frame's refcount, mapcount and FOLL_PIN pins
 *   (each pin also adds 1024 to REF; the page cache holds one REF on its
 *   pages); `-` for special PTEs.
 * - KIND: anon, file, shmem, zero, reserved (kernel page), device (a PFN
 *   past RAM), free (a stale PTE to a freed frame). EXCL: PageAnonExclusive
 *   of an anonymous frame (only an exclusive page may be reused in place on
 *   a write fault, or pinned).
 *
 * A run of {@link FOLD_PAGES} or more pages with nothing mapped (pte_none,
 * no uffd-wp bit, or no page table at all) is one line, the range and its
 * page count, outside the table's columns:
 * ```
 * 7f0000004000-7f0000100000  none  (252 pages)
 * ```
 * so a view costs what the page table holds, not the size of the range:
 * the walk visits only the populated levels (PageTable.forEachTable), and
 * `pages 0 0x7ffffffff000` on a fresh process is a handful of lines.
 * @module
 */

import type { Process } from "./process.ts";
import {
  MARKER_GUARD,
  MARKER_HWPOISON,
  MARKER_POISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
  PTE_YOUNG,
  type PteTable,
} from "../mm/pagetable.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

/** One page of a `pages` view, as data. */
export interface PageRow {
  /** The page's address. */
  addr: number;
  /** `none` (pte_none or a bare uffd-wp bit), `present`, `protnone` or `marker`. */
  pte: "none" | "present" | "protnone" | "marker";
  /** The PTE carries the userfaultfd write-protect bit. */
  uffdWp: boolean;
  /** The frame number of a present PTE, else null. */
  pfn: number | null;
  /** The frame is the shared zero page. */
  zero: boolean;
  /** `rw`, `r-` or `--` (protnone) for a present PTE, else null. */
  access: "rw" | "r-" | "--" | null;
  /** The PTE's dirty bit (present PTEs only, else null). */
  dirty: boolean | null;
  /** The PTE's accessed bit (present PTEs only, else null). */
  young: boolean | null;
  /** pte_special(): no refcounted struct page (present PTEs only, else null). */
  special: boolean | null;
  /** The frame's refcount, mapcount and FOLL_PIN count; null for special, zero and device PTEs. */
  ref: number | null;
  /** The frame's mapcount. */
  map: number | null;
  /** The frame's FOLL_PIN count. */
  pin: number | null;
  /**
   * anon, file, shmem, zero, reserved, device, free for a present PTE;
   * guard, poison, hwpoison (memory_failure's entry) or marker#N for a marker; null otherwise.
   */
  kind: string | null;
  /** PageAnonExclusive of an anonymous frame, else null. */
  excl: boolean | null;
}

const HEADER = [
  "ADDRESS",
  "PTE",
  "PFN",
  "ACCESS",
  "DIRTY",
  "YOUNG",
  "SPECIAL",
  "REF",
  "MAP",
  "PIN",
  "KIND",
  "EXCL",
];
/** Right-aligned (numeric) columns. */
const RIGHT = new Set([7, 8, 9]);

/**
 * A run of pages with nothing mapped, as one entry: [addr, end), `pages`
 * of them ({@link FOLD_PAGES} or more).
 */
export interface PageRun {
  /** The start of the run. */
  addr: number;
  /** The end of the run (exclusive). */
  end: number;
  /** No PTE in the run. */
  pte: "none";
  /** (end - addr) / 4096 */
  pages: number;
}

/** The shortest run of empty pages folded into one {@link PageRun}. */
export const FOLD_PAGES = 16;

/** One entry of a `pages` view: a page, or a folded run of empty pages. */
export type PageEntry = PageRow | PageRun;

/** Whether an entry is a folded run. */
export function isPageRun(e: PageEntry): e is PageRun {
  return "pages" in e;
}

/** One page's row, from its PTE's bits and pfn. */
function pageRow(p: Process, addr: number, bits: number, pfn: number): PageRow {
  const frames = p.machine.frames;
  const row: PageRow = {
    addr,
    pte: "none",
    uffdWp: (bits & PTE_UFFD_WP) !== 0,
    pfn: null,
    zero: false,
    access: null,
    dirty: null,
    young: null,
    special: null,
    ref: null,
    map: null,
    pin: null,
    kind: null,
    excl: null,
  };
  if (bits === 0) return row;
  if (!(bits & PTE_PRESENT)) {
    if (bits & PTE_MARKER) {
      row.pte = "marker";
      row.kind = pfn === MARKER_GUARD
        ? "guard"
        : pfn === MARKER_POISON
        ? "poison"
        : pfn === MARKER_HWPOISON
        ? "hwpoison"
        : `marker#${pfn}`;
    }
    return row;
  }
  row.pte = bits & PTE_PROTNONE ? "protnone" : "present";
  row.pfn = pfn;
  row.zero = pfn === frames.zeroPfn;
  row.access = bits & PTE_PROTNONE ? "--" : bits & PTE_WRITE ? "rw" : "r-";
  row.dirty = (bits & PTE_DIRTY) !== 0;
  row.young = (bits & PTE_YOUNG) !== 0;
  row.special = (bits & PTE_SPECIAL) !== 0;
  // A PFN map may point past RAM (device memory): no frame to show.
  row.kind = pfn >= 0 && pfn < frames.nframes ? frames.kind(pfn) : "device";
  if (row.special || row.zero || row.kind === "device") return row;
  const f = frames.flags[pfn];
  row.ref = frames.refcount[pfn];
  row.map = frames.mapcount[pfn];
  row.pin = frames.pincount[pfn];
  if (f & PG_ANON) row.excl = (f & PG_ANON_EXCLUSIVE) !== 0;
  return row;
}

/**
 * One entry per page of [start, end) (rounded out to whole pages): the PTE
 * and the frame it maps, except that runs of {@link FOLD_PAGES} or more
 * empty pages (bits 0) are one {@link PageRun}. Addresses are user
 * addresses (below 2^47). The cost is that of the page tables present in
 * the range, never its size.
 */
export function pageRows(
  p: Process,
  start: number | bigint,
  end: number | bigint,
): PageEntry[] {
  const sv = Math.floor(Number(start) / PAGE_SIZE);
  const ev = Math.ceil(Number(end) / PAGE_SIZE);
  const out: PageEntry[] = [];
  // Empty pages [emptyFrom, vpn) not yet written out.
  let emptyFrom = sv;
  const flushEmpty = (upTo: number) => {
    if (upTo - emptyFrom >= FOLD_PAGES) {
      out.push({
        addr: emptyFrom * PAGE_SIZE,
        end: upTo * PAGE_SIZE,
        pte: "none",
        pages: upTo - emptyFrom,
      });
    } else {
      for (let v = emptyFrom; v < upTo; v++) out.push(pageRow(p, v * PAGE_SIZE, 0, 0));
    }
    emptyFrom = upTo;
  };
  p.mm.pt.forEachTable(sv, ev, (t: PteTable, base: number, lo: number, hi: number) => {
    for (let i = lo; i < hi; i++) {
      const bits = t.bits[i];
      if (bits === 0) continue;
      flushEmpty(base + i);
      out.push(pageRow(p, (base + i) * PAGE_SIZE, bits, t.pfn[i]));
      emptyFrom = base + i + 1;
    }
  });
  flushEmpty(ev);
  return out;
}

const yn = (b: boolean | null): string => (b === null ? "-" : b ? "yes" : "no");
const num = (n: number | null): string => (n === null ? "-" : String(n));

const hex12 = (n: number): string => n.toString(16).padStart(12, "0");

/** `7f0000004000-7f0000100000  none  (252 pages)` */
function runLine(r: PageRun): string {
  return `${hex12(r.addr)}-${hex12(r.end)}  none  (${r.pages} pages)`;
}

/** The cells of one row. */
function cells(r: PageRow): string[] {
  const state = r.pte + (r.uffdWp ? "+uffd-wp" : "");
  const pfn = r.pfn === null ? "-" : r.zero ? "ZERO" : r.pfn.toString(16);
  return [
    hex12(r.addr),
    state,
    pfn,
    r.access ?? "-",
    yn(r.dirty),
    yn(r.young),
    yn(r.special),
    num(r.ref),
    num(r.map),
    num(r.pin),
    r.kind ?? "-",
    yn(r.excl),
  ];
}

/**
 * The entries as a table: a header line, then columns two spaces apart,
 * without trailing blanks; a folded run is a line of its own, outside the
 * columns.
 */
export function renderPageRows(rows: readonly PageEntry[]): string[] {
  const table = [HEADER];
  for (const r of rows) if (!isPageRun(r)) table.push(cells(r));
  const widths = HEADER.map((_, c) => {
    let w = 0;
    for (const r of table) w = Math.max(w, r[c].length);
    return w;
  });
  const line = (r: string[]) =>
    r.map((cell, c) => {
      if (c === r.length - 1) return cell;
      return RIGHT.has(c) ? cell.padStart(widths[c], " ") : cell.padEnd(widths[c], " ");
    }).join("  ").trimEnd();
  const out = [line(HEADER)];
  let next = 1;
  for (const r of rows) out.push(isPageRun(r) ? runLine(r) : line(table[next++]));
  return out;
}

/**
 * One line per page of [start, end) (rounded out to whole pages) after a
 * header line: the PTE and the frame it maps. Addresses are user
 * addresses (below 2^47).
 */
export function pageLines(p: Process, start: number | bigint, end: number | bigint): string[] {
  return renderPageRows(pageRows(p, start, end));
}
