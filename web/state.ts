/**
 * The web view's data: the machine a session drives, as JSON the page
 * draws. Every function here reads the machine through mod.ts and returns
 * plain data; none keeps state between calls.
 *
 * Costs are bounded by what exists, never by the size of a range: the
 * address-space strip walks only the VMAs in its window and the PTE tables
 * the page table holds there (PageTable.forEachTable), and folds VMAs
 * narrower than one column into one segment, so 65,530 VMAs cost one pass
 * and 128 TiB of unmapped space costs nothing.
 * @module
 */

import {
  lspciEntries,
  type Machine,
  mapsEntry,
  type Process,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_UFFD_WP,
  PTE_WRITE,
  renderLspciTree,
  renderSmapsEntry,
  smapsEntry,
  type Vma,
  vmaName,
  vmFlags,
} from "../mod.ts";

/** The top of the user half of the address space (x86-64, 4-level): 128 TiB. */
export const USER_TOP = 2 ** 47;
const PAGE = 4096;

/** How a VMA is drawn: the kinds of the strip's legend. */
export type VmaKind =
  | "anon"
  | "file"
  | "shared"
  | "device"
  | "guard"
  | "userfault"
  | "stack"
  | "heap";

/**
 * A VMA's kind, first match wins: registered with a userfaultfd, a PFN or
 * I/O map (device memory), PROT_NONE (a guard area), the stack, the heap,
 * shared, file-backed, else anonymous.
 */
export function vmaKind(v: Vma): VmaKind {
  const f = v.flags;
  if (v.uffd !== null) return "userfault";
  if (vmFlags.any(f, vmFlags.VM_PFNMAP | vmFlags.VM_IO | vmFlags.VM_MIXEDMAP)) return "device";
  if (!vmFlags.any(f, vmFlags.VM_ACCESS_FLAGS)) return "guard";
  // get_vma_name()'s tests for [stack] and [heap], without building the name.
  const mm = v.mm;
  const plain = v.file === null && v.ops === null;
  if (
    vmFlags.has(f, vmFlags.VM_GROWSDOWN) ||
    plain && v.start <= mm.startStack && mm.startStack <= v.end
  ) return "stack";
  if (plain && v.start < mm.brk && v.end > mm.startBrk) return "heap";
  if (vmFlags.has(f, vmFlags.VM_SHARED)) return "shared";
  if (!v.isAnonymous) return "file";
  return "anon";
}

/** Page counts of a range: what its PTEs hold. */
export interface PageSummary {
  /** Pages of the range. */
  pages: number;
  /** Present PTEs (protnone included). */
  present: number;
  /** Present PTEs with the dirty bit. */
  dirty: number;
  /** Present PTEs whose frame has FOLL_PIN pins. */
  pinned: number;
  /** Not-present PTEs of a VM_UFFD_MISSING VMA: an access would be a userfault. */
  uffdMissing: number;
  /** PTEs with the uffd-wp bit. */
  uffdWp: number;
}

/** One VMA as the page lists it. */
export interface VmaJson {
  start: number;
  end: number;
  /** maps' perms column: `rw-p`. */
  perms: string;
  kind: VmaKind;
  /** The VmFlags mnemonics of smaps. */
  flags: string;
  name: string;
  summary: PageSummary;
}

/** Counts the PTEs of [start, end) into `s`; `missing` counts not-present pages too. */
function countPtes(p: Process, start: number, end: number, s: PageSummary, missing: boolean): void {
  const pin = p.machine.frames.pincount;
  const n = p.machine.frames.nframes;
  let mapped = 0;
  p.mm.pt.forEachTable(start / PAGE, end / PAGE, (t, _base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if (b === 0) continue;
      if (b & PTE_UFFD_WP) s.uffdWp++;
      if (!(b & PTE_PRESENT)) continue;
      mapped++;
      s.present++;
      if (b & PTE_DIRTY) s.dirty++;
      const pfn = t.pfn[i];
      if (pfn >= 0 && pfn < n && pin[pfn] > 0) s.pinned++;
    }
  });
  if (missing) s.uffdMissing += (end - start) / PAGE - mapped;
}

function emptySummary(pages: number): PageSummary {
  return { pages, present: 0, dirty: 0, pinned: 0, uffdMissing: 0, uffdWp: 0 };
}

/** A VMA with its page summary. */
export function vmaJson(v: Vma, p: Process): VmaJson {
  const s = emptySummary(v.pages);
  countPtes(p, v.start, v.end, s, vmFlags.has(v.flags, vmFlags.VM_UFFD_MISSING));
  return {
    start: v.start,
    end: v.end,
    perms: mapsEntry(v).perms,
    kind: vmaKind(v),
    flags: vmFlags.vmFlagsText(v.flags),
    name: vmaName(v),
    summary: s,
  };
}

/** One process in the state. */
export interface ProcessJson {
  pid: number;
  comm: string;
  alive: boolean;
  /** map_count. */
  vmaCount: number;
  /** The first {@link VMA_LIST_MAX} VMAs (all of a small address space). */
  vmas: VmaJson[];
  /** The lowest and highest mapped address: the page's "fit" zoom. */
  lo: number;
  hi: number;
}

/** How many VMAs per process the state lists; the strip shows any number. */
export const VMA_LIST_MAX = 256;

/** A process's state. */
export function processJson(p: Process): ProcessJson {
  const out: ProcessJson = {
    pid: p.pid,
    comm: p.comm,
    alive: p.alive,
    vmaCount: p.alive ? p.mm.mapCount : 0,
    vmas: [],
    lo: 0,
    hi: 0,
  };
  if (!p.alive) return out;
  const first = p.mm.vmas.first;
  let last: Vma | null = null;
  for (let v = first; v !== null; v = v.next) {
    if (out.vmas.length < VMA_LIST_MAX) out.vmas.push(vmaJson(v, p));
    last = v;
  }
  if (first !== null && last !== null) {
    out.lo = first.start;
    out.hi = last.end;
  }
  return out;
}

/** Frame codes of the grid, one character a cell, most telling first. */
export const FRAME_CODES = {
  p: "pinned (FOLL_PIN)",
  A: "anonymous, mapped more than once (shared until a write: COW)",
  a: "anonymous",
  s: "shmem",
  c: "page cache (file)",
  z: "the zero page",
  r: "reserved (kernel)",
  f: "free",
} as const;
const RANK = "pAasczrf";

/** The physical frames, scaled to at most `maxCells` cells. */
export interface FramesJson {
  nframes: number;
  /** Frames per cell. */
  perCell: number;
  /** One {@link FRAME_CODES} letter a cell: the most telling frame of the cell. */
  cells: string;
  /** Frames of each kind. */
  counts: Record<string, number>;
}

/**
 * The frame grid: each cell shows its most telling frame. One pass over
 * the frame arrays (frameCode inlined as ranks): 512 Ki frames in a few ms.
 */
export function framesJson(m: Machine, maxCells = 65536): FramesJson {
  const fr = m.frames;
  const n = fr.nframes;
  const perCell = Math.max(1, Math.ceil(n / maxCells));
  const ncells = Math.ceil(n / perCell);
  const ranks = new Uint8Array(ncells).fill(RANK_FREE);
  const byRank = new Array<number>(RANK.length).fill(0);
  for (let pfn = 0; pfn < n; pfn++) {
    const r = frameRank(m, pfn);
    byRank[r]++;
    const c = Math.floor(pfn / perCell);
    if (r < ranks[c]) ranks[c] = r;
  }
  let cells = "";
  // Joined in slices: one string, no array of 64 Ki one-letter strings.
  for (let c = 0; c < ncells; c += 4096) {
    cells += String.fromCharCode(
      ...ranks.subarray(c, Math.min(ncells, c + 4096)).map((r) => RANK_CHARS[r]),
    );
  }
  const counts: Record<string, number> = {};
  for (const k of Object.keys(FRAME_CODES)) counts[k] = byRank[RANK.indexOf(k)];
  return { nframes: n, perCell, cells, counts };
}

const RANK_FREE = RANK.indexOf("f");
const RANK_CHARS = Uint8Array.from(RANK, (ch) => ch.charCodeAt(0));
const R_PIN = RANK.indexOf("p"), R_SHARED = RANK.indexOf("A"), R_ANON = RANK.indexOf("a");
const R_SHMEM = RANK.indexOf("s"), R_FILE = RANK.indexOf("c"), R_ZERO = RANK.indexOf("z");
const R_RESERVED = RANK.indexOf("r");

/** A frame's rank in {@link RANK} (lower is more telling). */
function frameRank(m: Machine, pfn: number): number {
  const fr = m.frames;
  if (fr.pincount[pfn] > 0) return R_PIN;
  switch (fr.kind(pfn)) {
    case "free":
      return RANK_FREE;
    case "reserved":
      return R_RESERVED;
    case "zero":
      return R_ZERO;
    case "shmem":
      return R_SHMEM;
    case "file":
      return R_FILE;
    default:
      return fr.mapcount[pfn] > 1 ? R_SHARED : R_ANON;
  }
}

/** One frame's {@link FRAME_CODES} letter. */
export function frameCode(m: Machine, pfn: number): string {
  return RANK[frameRank(m, pfn)];
}

/** A process and address mapping a frame. */
export interface FrameOwner {
  pid: number;
  addr: number;
}

/** Every live process's mappings of `pfn` (a walk of the page tables they hold). */
export function frameOwners(m: Machine, pfn: number): FrameOwner[] {
  const out: FrameOwner[] = [];
  const seen = new Set<unknown>();
  for (const p of [...m.procs.values()].sort((a, b) => a.pid - b.pid)) {
    if (!p.alive) continue;
    // Threads share their mm: list it under its first process only.
    if (seen.has(p.mm)) continue;
    seen.add(p.mm);
    p.mm.pt.forEachTable(0, USER_TOP / PAGE, (t, base, lo, hi) => {
      for (let i = lo; i < hi; i++) {
        if ((t.bits[i] & PTE_PRESENT) !== 0 && t.pfn[i] === pfn) {
          out.push({ pid: p.pid, addr: (base + i) * PAGE });
        }
      }
    });
  }
  return out;
}

/** One frame, for the grid's hover. */
export interface FrameJson {
  pfn: number;
  kind: string;
  code: string;
  refcount: number;
  mapcount: number;
  pincount: number;
  owners: FrameOwner[];
}

/** The most telling frame of [pfn, pfn + n) (a grid cell): the first of the lowest rank. */
export function cellFrame(m: Machine, pfn: number, n: number): number {
  let best = pfn, rank = frameRank(m, pfn);
  const end = Math.min(m.frames.nframes, pfn + n);
  for (let f = pfn + 1; f < end; f++) {
    const r = frameRank(m, f);
    if (r < rank) {
      rank = r;
      best = f;
    }
  }
  return best;
}

/** A frame's counts and the mappings that use it. */
export function frameJson(m: Machine, pfn: number): FrameJson {
  const fr = m.frames;
  return {
    pfn,
    kind: fr.kind(pfn),
    code: frameCode(m, pfn),
    refcount: fr.refcount[pfn],
    mapcount: fr.mapcount[pfn],
    pincount: fr.pincount[pfn],
    owners: frameOwners(m, pfn),
  };
}

/** A page, for the strip's hover: its PTE, its frame and the frame's owners. */
export interface PageJson {
  pid: number;
  addr: number;
  /** The VMA holding the page, or null (unmapped). */
  vma: VmaJson | null;
  pte: "none" | "present" | "protnone" | "marker";
  writable: boolean;
  dirty: boolean;
  uffdWp: boolean;
  /** The frame of a present PTE (past RAM: device memory, no frame data). */
  pfn: number | null;
  frame: FrameJson | null;
}

/** What backs the page at `addr` in process `p`. */
export function pageJson(p: Process, addr: number): PageJson {
  const a = Math.floor(addr / PAGE) * PAGE;
  const v = p.alive ? p.mm.findVma(a) : null;
  const inVma = v !== null && v.start <= a;
  const out: PageJson = {
    pid: p.pid,
    addr: a,
    vma: inVma ? vmaJson(v!, p) : null,
    pte: "none",
    writable: false,
    dirty: false,
    uffdWp: false,
    pfn: null,
    frame: null,
  };
  if (!p.alive) return out;
  const bits = p.mm.pt.bitsAt(a / PAGE);
  out.uffdWp = (bits & PTE_UFFD_WP) !== 0;
  if (bits === 0) return out;
  if (!(bits & PTE_PRESENT)) {
    if (bits & PTE_MARKER) out.pte = "marker";
    return out;
  }
  const pfn = p.mm.pt.pfnAt(a / PAGE);
  out.pte = bits & PTE_PROTNONE ? "protnone" : "present";
  out.writable = (bits & PTE_WRITE) !== 0;
  out.dirty = (bits & PTE_DIRTY) !== 0;
  out.pfn = pfn;
  if (pfn >= 0 && pfn < p.machine.frames.nframes) out.frame = frameJson(p.machine, pfn);
  return out;
}

/** The smaps entry of the VMA holding `addr`, as smaps prints it, or null. */
export function smapsAt(p: Process, addr: number): string[] | null {
  if (!p.alive) return null;
  const v = p.mm.findVma(addr);
  if (v === null || v.start > addr) return null;
  return renderSmapsEntry(smapsEntry(v));
}

/** A run of the strip: one VMA, or several narrower than a column (`count` > 1). */
export interface Segment {
  start: number;
  end: number;
  /** The VMAs folded in. */
  count: number;
  /** The kind of a single VMA, or of all folded ones when they agree, else "mixed". */
  kind: VmaKind | "mixed";
  /** A single VMA's perms and name; "" for a fold. */
  perms: string;
  name: string;
  /**
   * A single VMA's page counts (whole VMA), when the strip has at most
   * {@link SUMMARY_SEGMENTS_MAX} segments; else null.
   */
  summary: PageSummary | null;
}

/** The most segments a strip gives page summaries for (the page lists them). */
export const SUMMARY_SEGMENTS_MAX = 400;

/** The address-space strip of one process over [lo, hi), `cols` columns wide. */
export interface StripJson {
  pid: number;
  lo: number;
  hi: number;
  cols: number;
  /** Bytes per column (a fraction of a page when zoomed past one page a column). */
  colBytes: number;
  segments: Segment[];
  /** Per column: pages inside VMAs, present, dirty, pinned, userfault-missing. */
  mapped: number[];
  present: number[];
  dirty: number[];
  pinned: number[];
  uffdMissing: number[];
  /** The addresses of pinned pages in view (at most {@link PIN_MARKS_MAX}). */
  pinMarks: number[];
  vmaCount: number;
}

/** The most pinned pages a strip marks one by one. */
export const PIN_MARKS_MAX = 256;

/**
 * The strip of `p` over [lo, hi) (rounded out to pages, clamped to the
 * user half) in at most `width` columns, never more columns than pages.
 */
export function stripJson(p: Process, lo: number, hi: number, width: number): StripJson {
  lo = Math.max(0, Math.floor(lo / PAGE) * PAGE);
  hi = Math.min(USER_TOP, Math.ceil(hi / PAGE) * PAGE);
  if (hi <= lo) hi = Math.min(USER_TOP, lo + PAGE);
  if (hi <= lo) lo = hi - PAGE;
  const span = hi - lo;
  const cols = Math.max(1, Math.min(Math.floor(width), 4000, span / PAGE));
  const colBytes = span / cols;
  const zeros = () => new Array<number>(cols).fill(0);
  const out: StripJson = {
    pid: p.pid,
    lo,
    hi,
    cols,
    colBytes,
    segments: [],
    mapped: zeros(),
    present: zeros(),
    dirty: zeros(),
    pinned: zeros(),
    uffdMissing: zeros(),
    pinMarks: [],
    vmaCount: 0,
  };
  if (!p.alive) return out;
  const colOf = (a: number) => Math.min(cols - 1, Math.floor((a - lo) / colBytes));
  let last: Segment | null = null;
  let lastCol = -1;
  for (let v = p.mm.findVma(lo); v !== null && v.start < hi; v = v.next) {
    out.vmaCount++;
    const s = Math.max(v.start, lo), e = Math.min(v.end, hi);
    const c0 = colOf(s), c1 = colOf(e - 1);
    const kind = vmaKind(v);
    if (last !== null && c0 === c1 && c0 === lastCol) {
      // Narrower than a column and in the previous run's last column: fold.
      last.end = v.end;
      last.count++;
      if (last.kind !== kind) last.kind = "mixed";
      last.perms = last.name = "";
    } else {
      last = {
        start: v.start,
        end: v.end,
        count: 1,
        kind,
        perms: mapsEntry(v).perms,
        name: vmaName(v),
        summary: null,
      };
      out.segments.push(last);
    }
    lastCol = c1;
    // Column sums cost one step per column a VMA crosses, not per page.
    spreadWide(out.mapped, s, e, lo, colBytes, cols);
    if (vmFlags.has(v.flags, vmFlags.VM_UFFD_MISSING)) {
      spreadWide(out.uffdMissing, s, e, lo, colBytes, cols);
      // Present pages of a missing-mode VMA are not missing.
      p.mm.pt.forEachTable(s / PAGE, e / PAGE, (t, base, a, b) => {
        for (let i = a; i < b; i++) {
          if (t.bits[i] & PTE_PRESENT) out.uffdMissing[colOf((base + i) * PAGE)]--;
        }
      });
    }
  }
  if (out.segments.length <= SUMMARY_SEGMENTS_MAX) {
    for (const g of out.segments) {
      if (g.count !== 1) continue;
      const v = p.mm.findVma(g.start)!;
      g.summary = emptySummary(v.pages);
      countPtes(p, v.start, v.end, g.summary, vmFlags.has(v.flags, vmFlags.VM_UFFD_MISSING));
    }
  }
  const pin = p.machine.frames.pincount;
  const n = p.machine.frames.nframes;
  p.mm.pt.forEachTable(lo / PAGE, hi / PAGE, (t, base, a, b) => {
    for (let i = a; i < b; i++) {
      const bits = t.bits[i];
      if (!(bits & PTE_PRESENT)) continue;
      const addr = (base + i) * PAGE;
      const c = colOf(addr);
      out.present[c]++;
      if (bits & PTE_DIRTY) out.dirty[c]++;
      const pfn = t.pfn[i];
      if (pfn >= 0 && pfn < n && pin[pfn] > 0) {
        out.pinned[c]++;
        if (out.pinMarks.length < PIN_MARKS_MAX) out.pinMarks.push(addr);
      }
    }
  });
  return out;
}

/** Adds the pages of [s, e) per column by arithmetic: one step per column crossed. */
function spreadWide(
  arr: number[],
  s: number,
  e: number,
  lo: number,
  colBytes: number,
  cols: number,
): void {
  const c0 = Math.min(cols - 1, Math.floor((s - lo) / colBytes));
  const c1 = Math.min(cols - 1, Math.floor((e - 1 - lo) / colBytes));
  for (let c = c0; c <= c1; c++) {
    const a = Math.max(s, lo + c * colBytes), b = Math.min(e, lo + (c + 1) * colBytes);
    arr[c] += Math.max(0, b - a) / PAGE;
  }
}

/** A PCI function in the tree. */
export interface PciJson {
  bdf: string;
  name: string;
  className: string;
  driver: string | null;
  state: string;
  bridge: boolean;
  physfn: string | null;
}

/** The PCI functions and `lspci -t`'s tree. */
export function pciJson(m: Machine): { functions: PciJson[]; tree: string[] } {
  const entries = lspciEntries(m.pci);
  return {
    functions: entries.map((e) => ({
      bdf: e.bdf,
      name: e.name,
      className: e.className,
      driver: e.driver,
      state: e.state,
      bridge: e.bridge !== null,
      physfn: e.physfn,
    })),
    tree: entries.length === 0 ? [] : renderLspciTree(entries, {
      verbose: 1,
      numeric: 0,
      kernel: true,
      tree: true,
      domains: false,
    }),
  };
}

/** The whole state but the strips: processes, frames, PCI, the dmesg tail. */
export interface StateJson {
  /** Commands run so far in this session (moves on every command). */
  seq: number;
  /** The current process and the prompt. */
  pid: number;
  prompt: string;
  processes: ProcessJson[];
  frames: FramesJson;
  pci: { functions: PciJson[]; tree: string[] };
  dmesg: string[];
}

/** How many dmesg lines the state carries. */
export const DMESG_TAIL = 60;

/** The state of machine `m`, `pid` current. */
export function stateJson(m: Machine, pid: number, prompt: string, seq: number): StateJson {
  const procs = [...m.procs.values()].sort((a, b) => a.pid - b.pid);
  const log = m.dmesg.format();
  return {
    seq,
    pid,
    prompt,
    processes: procs.map(processJson),
    frames: framesJson(m),
    pci: pciJson(m),
    dmesg: log.slice(Math.max(0, log.length - DMESG_TAIL)),
  };
}
