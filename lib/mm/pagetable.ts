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
 * @module
 */

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
/** PTE_MARKER_GUARD (MADV_GUARD_INSTALL). */
export const MARKER_GUARD = 1;
/** PTE_MARKER_POISONED (UFFDIO_POISON). */
export const MARKER_POISON = 2;

const ENTRIES = 512;
/** At most this many freed tables are kept for reuse (8 GiB of mappings' worth). */
const POOL_MAX = 4096;
const PGD_SPAN = 2 ** 27; // pages covered by one PGD entry

/** One PTE table: 512 entries. */
export class PteTable {
  readonly pfn: Int32Array = new Int32Array(ENTRIES);
  readonly bits: Uint8Array = new Uint8Array(ENTRIES);
  /** Number of entries that are not pte_none(). */
  used = 0;
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
    const i = vpn & 511;
    const was = t.bits[i];
    if (was === 0 && bits !== 0) t.used++;
    else if (was !== 0 && bits === 0) t.used--;
    t.bits[i] = bits;
    t.pfn[i] = bits === 0 ? 0 : pfn;
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
