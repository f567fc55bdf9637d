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
 * @module
 */

import type { Process } from "./process.ts";
import {
  MARKER_GUARD,
  MARKER_POISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
  PTE_YOUNG,
} from "../mm/pagetable.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";
import { PAGE_SIZE } from "../abi/layout.ts";

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

const yn = (b: boolean): string => (b ? "yes" : "no");

/** The cells of one page's row. */
function pageRow(p: Process, addr: number): string[] {
  const mm = p.mm;
  const frames = p.machine.frames;
  const vpn = addr / PAGE_SIZE;
  const bits = mm.pt.bitsAt(vpn);
  const row = [addr.toString(16).padStart(12, "0")];
  const wp = bits & PTE_UFFD_WP ? "+uffd-wp" : "";
  if (bits === 0) return [...row, "none", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"];
  const pfn = mm.pt.pfnAt(vpn);
  if (!(bits & PTE_PRESENT)) {
    const marker = (bits & PTE_MARKER) !== 0;
    const kind = !marker
      ? "-"
      : pfn === MARKER_GUARD
      ? "guard"
      : pfn === MARKER_POISON
      ? "poison"
      : `marker#${pfn}`;
    const state = (marker ? "marker" : "none") + wp;
    return [...row, state, "-", "-", "-", "-", "-", "-", "-", "-", kind, "-"];
  }
  const state = (bits & PTE_PROTNONE ? "protnone" : "present") + wp;
  const zero = pfn === frames.zeroPfn;
  const special = (bits & PTE_SPECIAL) !== 0;
  const pfnText = zero ? "ZERO" : pfn.toString(16);
  const access = bits & PTE_PROTNONE ? "--" : bits & PTE_WRITE ? "rw" : "r-";
  const flagCells = [
    access,
    yn((bits & PTE_DIRTY) !== 0),
    yn((bits & PTE_YOUNG) !== 0),
    yn(special),
  ];
  // A PFN map may point past RAM (device memory): no frame to show.
  const kind = pfn >= 0 && pfn < frames.nframes ? frames.kind(pfn) : "device";
  if (special || zero || kind === "device") {
    return [...row, state, pfnText, ...flagCells, "-", "-", "-", kind, "-"];
  }
  const f = frames.flags[pfn];
  const excl = f & PG_ANON ? yn((f & PG_ANON_EXCLUSIVE) !== 0) : "-";
  return [
    ...row,
    state,
    pfnText,
    ...flagCells,
    String(frames.refcount[pfn]),
    String(frames.mapcount[pfn]),
    String(frames.pincount[pfn]),
    kind,
    excl,
  ];
}

/** Lays out rows as columns two spaces apart, without trailing blanks. */
function table(rows: string[][]): string[] {
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => {
      if (c === r.length - 1) return cell;
      return RIGHT.has(c) ? cell.padStart(widths[c], " ") : cell.padEnd(widths[c], " ");
    }).join("  ").trimEnd()
  );
}

/**
 * One line per page of [start, end) (rounded out to whole pages) after a
 * header line: the PTE and the frame it maps. Addresses are user
 * addresses (below 2^47).
 */
export function pageLines(p: Process, start: number | bigint, end: number | bigint): string[] {
  const s = Math.floor(Number(start) / PAGE_SIZE) * PAGE_SIZE;
  const e = Math.ceil(Number(end) / PAGE_SIZE) * PAGE_SIZE;
  const rows: string[][] = [HEADER];
  for (let a = s; a < e; a += PAGE_SIZE) rows.push(pageRow(p, a));
  return table(rows);
}
