/**
 * /proc/meminfo: fs/proc/meminfo.c meminfo_proc_show() (show_val_kb: a
 * 16-column label, kB right-aligned in 8 columns, " kB") and
 * mm/hugetlb.c hugetlb_report_meminfo(), for the lines mmlab's machine
 * can compute, in the kernel's order. Left out: what mmlab does not model
 * (Buffers, the LRU lists, Dirty/Writeback, slab, kernel stacks, vmalloc,
 * per-cpu, DirectMap...).
 *
 * Counts come from the frame table: page-cache frames (PG_FILE, shmem
 * included), anonymous frames, their mapcounts; and from the live mms.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Mm } from "../mm/mm.ts";
import { PG_ANON, PG_FILE, PG_LOCKED_MLOCK, PG_RESERVED, PG_SHMEM } from "../phys/frames.ts";
import { commitLimit, committedPages, totalRamPages } from "../mm/accounting.ts";
import { VM_LOCKED } from "../mm/vm_flags.ts";
import { PAGE_SIZE } from "../abi/layout.ts";
import { normalPfn } from "../mm/normal_page.ts";
import { pgtableCounts } from "./stats.ts";

/** The distinct mms of the live processes, in pid order. */
function liveMms(m: Machine): Mm[] {
  const seen = new Set<Mm>();
  const pids = [...m.procs.keys()].sort((a, b) => a - b);
  for (const pid of pids) {
    const p = m.procs.get(pid)!;
    if (p.alive) seen.add(p.mm);
  }
  return [...seen];
}

/**
 * The frames mapped by a VM_LOCKED VMA of a live mm: mm/mlock.c
 * mlock_folio() sets PG_mlocked on every page a locked VMA maps, and
 * munlock clears it once no locked VMA maps the page any more.
 */
function lockedVmaFrames(mms: readonly Mm[]): Set<number> {
  const set = new Set<number>();
  for (const mm of mms) {
    for (let v = mm.vmas.first; v !== null; v = v.next) {
      if (!(v.flags & VM_LOCKED)) continue;
      mm.pt.forEachTable(v.start / PAGE_SIZE, v.end / PAGE_SIZE, (t, _b, lo, hi) => {
        for (let i = lo; i < hi; i++) {
          const pfn = normalPfn(mm, t.bits[i], t.pfn[i]);
          if (pfn >= 0) set.add(pfn);
        }
      });
    }
  }
  return set;
}

/** include/linux/int_sqrt: floor(sqrt(x)) for a safe integer. */
function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * The low watermark and totalreserve_pages of a machine whose RAM is one
 * zone: mm/page_alloc.c calculate_min_free_kbytes() (4 * sqrt(lowmem kB),
 * clamped to [128, 262144]), __setup_per_zone_wmarks() with
 * watermark_scale_factor 10, calculate_totalreserve_pages() (the high
 * watermark; no lowmem reserve with a single zone).
 */
function watermarks(managed: number): { low: number; reserve: number } {
  const kbytes = managed * (PAGE_SIZE / 1024);
  const minFreeKbytes = Math.min(262144, Math.max(128, intSqrt(kbytes * 16)));
  const min = Math.floor(minFreeKbytes / (PAGE_SIZE / 1024));
  const tmp = Math.max(Math.floor(min / 4), Math.floor(managed * 10 / 10000));
  return { low: min + tmp, reserve: Math.min(managed, min + 2 * tmp) };
}

/**
 * The fields of /proc/meminfo that mmlab computes, keyed and ordered as
 * the file prints them: kB, except the HugePages_* counts.
 */
export interface Meminfo {
  /** Usable RAM: managed pages of all zones. */
  MemTotal: number;
  /** Free pages (NR_FREE_PAGES). */
  MemFree: number;
  /** Estimate of memory available without swapping (si_mem_available()). */
  MemAvailable: number;
  /** Page cache not counted in SwapCached or buffers. */
  Cached: number;
  /** Swap cache pages (NR_SWAPCACHE). */
  SwapCached: number;
  /** Unevictable mlocked pages (NR_MLOCK). */
  Mlocked: number;
  /** Total swap space. */
  SwapTotal: number;
  /** Unused swap space. */
  SwapFree: number;
  /** Anonymous pages mapped into user page tables (NR_ANON_MAPPED). */
  AnonPages: number;
  /** File pages mapped into user page tables (NR_FILE_MAPPED). */
  Mapped: number;
  /** Shmem/tmpfs pages (NR_SHMEM). */
  Shmem: number;
  /** Memory used by user page tables (NR_PAGETABLE). */
  PageTables: number;
  /** Overcommit limit under vm.overcommit_memory=2 (vm_commit_limit()). */
  CommitLimit: number;
  /** Committed address space (vm_committed_as). */
  Committed_AS: number;
  /** Anonymous THPs mapped by PMD (NR_ANON_THPS). */
  AnonHugePages: number;
  /** Shmem THPs (NR_SHMEM_THPS). */
  ShmemHugePages: number;
  /** Shmem THPs mapped by PMD (NR_SHMEM_PMDMAPPED). */
  ShmemPmdMapped: number;
  /** File THPs in the page cache (NR_FILE_THPS). */
  FileHugePages: number;
  /** File THPs mapped by PMD (NR_FILE_PMDMAPPED). */
  FilePmdMapped: number;
  /** Size of the default hugetlb pool, in pages. */
  HugePages_Total: number;
  /** Free pages in the default hugetlb pool. */
  HugePages_Free: number;
  /** Reserved but not yet faulted hugetlb pages. */
  HugePages_Rsvd: number;
  /** Surplus hugetlb pages above nr_hugepages. */
  HugePages_Surp: number;
  /** Default huge page size. */
  Hugepagesize: number;
  /** Memory in all hugetlb pools (hugetlb_report_meminfo()). */
  Hugetlb: number;
}

/** Pages to kB (`<< (PAGE_SHIFT - 10)`). */
const kb = (pages: number): number => pages * (PAGE_SIZE / 1024);

/** /proc/meminfo as data. */
export function meminfo(m: Machine): Meminfo {
  const f = m.frames;
  const mms = liveMms(m);
  const lockedByVma = lockedVmaFrames(mms);
  let cached = 0, shmem = 0, anonMapped = 0, fileMapped = 0, fileLru = 0, mlocked = 0;
  for (let pfn = 0; pfn < f.nframes; pfn++) {
    const fl = f.flags[pfn];
    if ((fl & PG_RESERVED) || f.refcount[pfn] === 0) continue;
    // NR_MLOCK: PG_mlocked frames (the flag, or a locked VMA mapping the frame).
    const isMlocked = (fl & PG_LOCKED_MLOCK) !== 0 || lockedByVma.has(pfn);
    if (isMlocked) mlocked++;
    if (fl & PG_ANON) {
      // NR_ANON_MAPPED: anonymous pages while mapped at least once.
      if (f.mapcount[pfn] > 0) anonMapped++;
    } else if (fl & PG_FILE) {
      // NR_FILE_PAGES (Cached: no swap cache, no buffers), NR_SHMEM, NR_FILE_MAPPED.
      cached++;
      if (fl & PG_SHMEM) shmem++;
      else if (!isMlocked) fileLru++; // on the file LRU: evictable page cache
      if (f.mapcount[pfn] > 0) fileMapped++;
    }
  }
  const mm0 = m.init.mm;
  const total = totalRamPages(mm0);
  const free = f.freeCount;
  // mm/show_mem.c si_mem_available(): free pages above the reserve, plus
  // the page cache that could be dropped down to the low watermark.
  const wm = watermarks(total);
  let available = free - wm.reserve;
  available += fileLru - Math.min(Math.floor(fileLru / 2), wm.low);
  if (available < 0) available = 0;
  // NR_PAGETABLE: every page-table page of every live mm, the PGD included.
  let pagetables = 0;
  for (const mm of mms) {
    const c = pgtableCounts(mm);
    pagetables += 1 + c.puds + c.pmds + c.ptes;
  }
  return {
    MemTotal: kb(total),
    MemFree: kb(free),
    MemAvailable: kb(available),
    Cached: kb(cached),
    SwapCached: 0,
    Mlocked: kb(mlocked),
    SwapTotal: 0,
    SwapFree: 0,
    AnonPages: kb(anonMapped),
    Mapped: kb(fileMapped),
    Shmem: kb(shmem),
    PageTables: kb(pagetables),
    CommitLimit: kb(commitLimit(mm0)),
    Committed_AS: kb(committedPages(mm0)),
    // mmlab maps no huge pages of any kind, and reserves no hugetlb pages.
    AnonHugePages: 0,
    ShmemHugePages: 0,
    ShmemPmdMapped: 0,
    FileHugePages: 0,
    FilePmdMapped: 0,
    HugePages_Total: 0,
    HugePages_Free: 0,
    HugePages_Rsvd: 0,
    HugePages_Surp: 0,
    Hugepagesize: 2048,
    Hugetlb: 0,
  };
}

/** Fields that count pages rather than kB: printed without a unit. */
const COUNTS: ReadonlySet<string> = new Set([
  "HugePages_Total",
  "HugePages_Free",
  "HugePages_Rsvd",
  "HugePages_Surp",
]);

/** The fields as meminfo_proc_show() prints them. */
export function renderMeminfo(mi: Meminfo): string[] {
  return Object.entries(mi).map(([label, value]) =>
    (label + ":").padEnd(16, " ") + String(value).padStart(8, " ") +
    (COUNTS.has(label) ? "" : " kB")
  );
}

/** The lines of /proc/meminfo that mmlab computes. */
export function meminfoLines(m: Machine): string[] {
  return renderMeminfo(meminfo(m));
}
