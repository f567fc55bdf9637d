/**
 * An x86-64 4-level page table: PGD -> PUD -> PMD -> PTE table, 512 entries
 * per level, built on demand (arch/x86/include/asm/pgtable_64_types.h).
 *
 * A virtual page number (vpn = addr >> 12, 35 bits) splits as:
 * ```
 *   34      27 26      18 17       9 8        0
 *  +----------+----------+----------+----------+
 *  | PGD idx  | PUD idx  | PMD idx  | PTE idx  |
 *  +----------+----------+----------+----------+
 * ```
 * Each PTE table (a "leaf") is a pair of typed arrays: the pfn and the PTE
 * bits below. An entry with bits 0 is pte_none(). Entries that are not
 * present but not none are markers (guard regions, uffd-wp on none ptes).
 *
 * The bits (16 of them, mmlab's own packing of the x86 PTE's meaning):
 * ```
 *   15    12  11  10   9   8   7   6   5   4   3   2   1   0
 *  +--------+---+---+---+---+---+---+---+---+---+---+---+---+
 *  |  free  |SD |DM |PCD|PWT|PN |MK |UW |SP | A | D |RW | P |
 *  +--------+---+---+---+---+---+---+---+---+---+---+---+---+
 * ```
 * P present, RW writable, D dirty, A accessed (young), SP special (no
 * struct page refcount), UW uffd-wp, MK marker, PN protnone, PWT/PCD the
 * cache mode (arch/x86/mm/pat/memtype.c: WB 0, WC PWT, UC- PCD, UC both,
 * as Linux programs the PAT), DM devmap, SD soft-dirty.
 * @module
 */

import { type FrameTable, PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";

/** _PAGE_PRESENT */
export const PTE_PRESENT = 1 << 0;
/** _PAGE_RW */
export const PTE_WRITE = 1 << 1;
/** _PAGE_DIRTY */
export const PTE_DIRTY = 1 << 2;
/** _PAGE_ACCESSED */
export const PTE_YOUNG = 1 << 3;
/** _PAGE_SPECIAL: no struct page refcounting (zero page, VM_PFNMAP). */
export const PTE_SPECIAL = 1 << 4;
/** _PAGE_UFFD_WP */
export const PTE_UFFD_WP = 1 << 5;
/** A non-present PTE marker; the pfn slot holds the marker kind. */
export const PTE_MARKER = 1 << 6;
/**
 * _PAGE_PROTNONE: the page stays mapped (and referenced) but any access
 * faults — what mprotect(PROT_NONE) leaves in present PTEs.
 */
export const PTE_PROTNONE = 1 << 7;
/** _PAGE_PWT: with PCD, the page's cache mode (see {@link CACHE_MODE_MASK}). */
export const PTE_PWT = 1 << 8;
/** _PAGE_PCD */
export const PTE_PCD = 1 << 9;
/**
 * _PAGE_DEVMAP: a ZONE_DEVICE pfn mapped with its struct page (fsdax,
 * device-dax). Mainline dropped the bit in 6.17; kept for earlier eras.
 */
export const PTE_DEVMAP = 1 << 10;
/** _PAGE_SOFT_DIRTY: written since the last clear_refs 4. */
export const PTE_SOFT_DIRTY = 1 << 11;
/** The cache-mode bits (enum page_cache_mode, as cachemode2protval encodes it). */
export const CACHE_MODE_MASK = PTE_PWT | PTE_PCD;
/** _PAGE_CACHE_MODE_WB: write-back (normal memory). */
export const CACHE_WB = 0;
/** _PAGE_CACHE_MODE_WC: write-combining (pgprot_writecombine). */
export const CACHE_WC = PTE_PWT;
/** _PAGE_CACHE_MODE_UC_MINUS: uncached, MTRR may override (pgprot_noncached). */
export const CACHE_UC_MINUS = PTE_PCD;
/** _PAGE_CACHE_MODE_UC: strongly uncached. */
export const CACHE_UC = PTE_PCD | PTE_PWT;

/** PTE_MARKER_GUARD (MADV_GUARD_INSTALL). */
export const MARKER_GUARD = 1;
/** PTE_MARKER_POISONED (UFFDIO_POISON). */
export const MARKER_POISON = 2;
/**
 * PTE_MARKER_UFFD_WP: a none PTE write-protected by userfaultfd (shmem, or
 * anonymous memory with UFFD_FEATURE_WP_UNPOPULATED); its bits are
 * PTE_MARKER | PTE_UFFD_WP.
 */
export const MARKER_UFFD_WP = 3;
/**
 * A hwpoison swap entry (make_hwpoison_entry, memory_failure() unmapping a
 * corrupted page): a later access is VM_FAULT_HWPOISON with `MCE: Killing`.
 */
export const MARKER_HWPOISON = 4;

const ENTRIES = 512;
/** At most this many freed tables are kept for reuse (8 GiB of mappings' worth). */
const POOL_MAX = 4096;
const PGD_SPAN = 2 ** 27; // pages covered by one PGD entry

/** One PTE table: 512 entries. */
export class PteTable {
  /** Frame number per entry (the PTE's PFN field). */
  readonly pfn: Int32Array = new Int32Array(ENTRIES);
  /** PTE bits per entry (present, write, dirty, ... as PTE_* constants). */
  readonly bits: Uint16Array = new Uint16Array(ENTRIES);
  /** Number of entries that are not pte_none(). */
  used = 0;
}

/*
 * The PTE write path. Nothing outside this module stores into a PteTable's
 * arrays: single entries change through PageTable.set/clear/modify, and
 * walks that hold a table (zap, mprotect, fork's copy, MADV_FREE) through
 * the three functions below, which keep `used` right. They are plain
 * functions on (table, index) so the hot loops stay free of allocations
 * and closures. MMU notifiers are the callers' brackets, one per range, as
 * in the kernel: mm.invalidateStart(range) before the first downgrade or
 * clear, mm.invalidateEnd after the last (zap.ts, mprotect.ts, fork.ts,
 * madvise.ts, mremap.ts, msync.ts, the COW paths of fault.ts).
 */

/** set_pte_at(): installs pfn/bits (bits != 0) at entry `i`, none or not. */
export function pteInstall(t: PteTable, i: number, pfn: number, bits: number): void {
  if (t.bits[i] === 0) t.used++;
  t.bits[i] = bits;
  t.pfn[i] = pfn;
}

/** pte_clear(): makes entry `i` none. */
export function pteClear(t: PteTable, i: number): void {
  if (t.bits[i] !== 0) t.used--;
  t.bits[i] = 0;
  t.pfn[i] = 0;
}

/** Replaces the bits (non-zero) of the non-none entry `i`, keeping its pfn. */
export function pteModify(t: PteTable, i: number, bits: number): void {
  t.bits[i] = bits;
}

/**
 * copy_pte_range() for entries [lo, hi) of one PTE table when no page
 * needs an early copy: every present page gains a reference and a mapping
 * (and loses PageAnonExclusive), a COW mapping's writable entries are
 * write-protected on both sides, the child's entries are old (and clean
 * for a shared mapping); markers are copied as they are. One pass over
 * typed arrays, no allocation; the child table's `used` is kept here.
 * fork's bulk write path (mm/fork.ts copyPageRange calls it once per
 * table, inside its mmu notifier bracket); it also takes the frames'
 * references, the one place this module touches struct pages, so that the
 * copy stays a single pass.
 */
export function copyPtes(
  t: PteTable,
  dt: PteTable,
  lo: number,
  hi: number,
  frames: FrameTable,
  cow: boolean,
  shared: boolean,
): void {
  const sb = t.bits, sp = t.pfn, db = dt.bits, dp = dt.pfn;
  const refcount = frames.refcount, mapcount = frames.mapcount, flags = frames.flags;
  const keepSrc = cow ? ~PTE_WRITE : ~0;
  const keepDst = shared ? ~(PTE_YOUNG | PTE_DIRTY) : ~PTE_YOUNG;
  let added = 0;
  for (let i = lo; i < hi; i++) {
    const b = sb[i];
    if (b === 0) continue;
    const pfn = sp[i];
    let cb: number;
    if (!(b & PTE_PRESENT)) {
      // Markers (guard regions) are copied as they are.
      if (!(b & PTE_MARKER)) continue;
      cb = b;
    } else {
      if (!(b & PTE_SPECIAL)) {
        refcount[pfn]++;
        mapcount[pfn]++;
        const f = flags[pfn];
        if (f & PG_ANON) flags[pfn] = f & ~PG_ANON_EXCLUSIVE;
      }
      const wb = b & keepSrc;
      if (wb !== b) sb[i] = wb;
      cb = wb & keepDst;
    }
    if (db[i] === 0) added++;
    db[i] = cb;
    dp[i] = pfn;
  }
  dt.used += added;
}

type Pmd = (PteTable | undefined)[];
type Pud = (Pmd | undefined)[];

/** Callback for {@link PageTable.forEachTable}: entries [lo, hi) of `t`, t[0] is `base`. */
export type TableVisitor = (t: PteTable, base: number, lo: number, hi: number) => void;

/**
 * A process's page table.
 *
 * @example
 * ```ts
 * import { PageTable, PTE_PRESENT, PTE_WRITE } from "./pagetable.ts";
 * const pt = new PageTable();
 * pt.set(0x7f0000000, 0x1234, PTE_PRESENT | PTE_WRITE);
 * console.log(pt.pfnAt(0x7f0000000).toString(16)); // 1234
 * ```
 */
export class PageTable {
  private readonly pgd: (Pud | undefined)[] = new Array(ENTRIES);
  /** Number of PTE tables allocated (for VmPTE / PageTables). */
  tables = 0;
  /**
   * Freed PTE tables, all entries none, for the next table this (or any
   * page table sharing the list: a machine's) needs — the kernel's
   * page-table pages go back to the page allocator the same way. A fork
   * of a large mm then takes its tables from what the last exit freed
   * instead of allocating two typed arrays per 2 MiB. Null: no reuse.
   */
  pool: PteTable[] | null = null;

  /** The PTE table covering `vpn`, creating the path when `create`. */
  table(vpn: number, create: boolean): PteTable | undefined {
    const g = Math.floor(vpn / PGD_SPAN);
    const r = vpn - g * PGD_SPAN;
    let pud = this.pgd[g];
    if (pud === undefined) {
      if (!create) return undefined;
      pud = this.pgd[g] = new Array(ENTRIES);
    }
    const ui = r >>> 18;
    let pmd = pud[ui];
    if (pmd === undefined) {
      if (!create) return undefined;
      pmd = pud[ui] = new Array(ENTRIES);
    }
    const mi = (r >>> 9) & 511;
    let t = pmd[mi];
    if (t === undefined) {
      if (!create) return undefined;
      const pool = this.pool;
      t = pmd[mi] = pool !== null && pool.length > 0 ? pool.pop()! : new PteTable();
      this.tables++;
    }
    return t;
  }

  /** PTE bits at `vpn` (0 = none). */
  bitsAt(vpn: number): number {
    const t = this.table(vpn, false);
    return t === undefined ? 0 : t.bits[vpn & 511];
  }

  /** pfn at `vpn` (meaningful only when bits are non-zero). */
  pfnAt(vpn: number): number {
    const t = this.table(vpn, false);
    return t === undefined ? -1 : t.pfn[vpn & 511];
  }

  /** Writes an entry (set_pte_at). `bits` 0 clears it. */
  set(vpn: number, pfn: number, bits: number): void {
    const t = this.table(vpn, bits !== 0);
    if (t === undefined) return;
    if (bits === 0) pteClear(t, vpn & 511);
    else pteInstall(t, vpn & 511, pfn, bits);
  }

  /** Clears an entry (ptep_get_and_clear); returns the bits it had. */
  clear(vpn: number): number {
    const t = this.table(vpn, false);
    if (t === undefined) return 0;
    const was = t.bits[vpn & 511];
    pteClear(t, vpn & 511);
    return was;
  }

  /**
   * Replaces the bits of a non-none entry, keeping its pfn (pte_mkold,
   * pte_wrprotect, ptep_modify_prot_commit). `bits` must not be 0.
   */
  modify(vpn: number, bits: number): void {
    const t = this.table(vpn, false);
    if (t !== undefined && t.bits[vpn & 511] !== 0) pteModify(t, vpn & 511, bits);
  }

  /**
   * Calls `fn` for every existing PTE table overlapping [startVpn, endVpn),
   * in address order, skipping empty subtrees. The callback may modify
   * entries of `t` but must keep `t.used` correct.
   */
  forEachTable(startVpn: number, endVpn: number, fn: TableVisitor): void {
    let vpn = startVpn;
    while (vpn < endVpn) {
      const g = Math.floor(vpn / PGD_SPAN);
      const pud = this.pgd[g];
      if (pud === undefined) {
        vpn = (g + 1) * PGD_SPAN;
        continue;
      }
      const r = vpn - g * PGD_SPAN;
      const ui = r >>> 18;
      const pmd = pud[ui];
      if (pmd === undefined) {
        vpn = g * PGD_SPAN + (ui + 1) * 262144;
        continue;
      }
      const mi = (r >>> 9) & 511;
      const base = vpn - (vpn & 511);
      const t = pmd[mi];
      if (t !== undefined && t.used > 0) {
        const lo = vpn - base;
        const hi = Math.min(ENTRIES, endVpn - base);
        fn(t, base, lo, hi);
      }
      vpn = base + ENTRIES;
    }
  }

  /**
   * Frees PTE tables (and empty directories) that no longer hold entries in
   * [startVpn, endVpn). mm/memory.c: free_pgtables, simplified.
   */
  freeEmpty(startVpn: number, endVpn: number): void {
    let vpn = startVpn - (startVpn & 511);
    while (vpn < endVpn) {
      const g = Math.floor(vpn / PGD_SPAN);
      const pud = this.pgd[g];
      if (pud === undefined) {
        vpn = (g + 1) * PGD_SPAN;
        continue;
      }
      const r = vpn - g * PGD_SPAN;
      const ui = r >>> 18;
      const pmd = pud[ui];
      if (pmd === undefined) {
        vpn = g * PGD_SPAN + (ui + 1) * 262144;
        continue;
      }
      const mi = (r >>> 9) & 511;
      const t = pmd[mi];
      if (t !== undefined && t.used === 0) {
        pmd[mi] = undefined;
        this.tables--;
        const pool = this.pool;
        if (pool !== null && pool.length < POOL_MAX) {
          // `used` 0 means every entry is none; clear stale pfns as well.
          t.bits.fill(0);
          t.pfn.fill(0);
          pool.push(t);
        }
        if (pmd.every((x) => x === undefined)) {
          pud[ui] = undefined;
          if (pud.every((x) => x === undefined)) this.pgd[g] = undefined;
        }
      }
      vpn += ENTRIES;
    }
  }

  /** Number of non-none entries in [startVpn, endVpn). */
  countUsed(startVpn: number, endVpn: number): number {
    let n = 0;
    this.forEachTable(startVpn, endVpn, (t, _b, lo, hi) => {
      if (lo === 0 && hi === ENTRIES) n += t.used;
      else for (let i = lo; i < hi; i++) if (t.bits[i] !== 0) n++;
    });
    return n;
  }

  /** The walk from PGD to PTE for one vpn, for a `vtop`-style view. */
  walk(vpn: number): { pgd: number; pud: number; pmd: number; pte: number; levels: number } {
    const g = Math.floor(vpn / PGD_SPAN);
    const r = vpn - g * PGD_SPAN;
    const idx = { pgd: g, pud: r >>> 18, pmd: (r >>> 9) & 511, pte: r & 511 };
    const pud = this.pgd[g];
    if (pud === undefined) return { ...idx, levels: 1 };
    const pmd = pud[idx.pud];
    if (pmd === undefined) return { ...idx, levels: 2 };
    const t = pmd[idx.pmd];
    if (t === undefined) return { ...idx, levels: 3 };
    return { ...idx, levels: 4 };
  }
}
