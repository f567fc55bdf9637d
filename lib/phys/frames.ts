/**
 * Physical memory: one entry per 4 KiB frame, kept as a struct of typed
 * arrays indexed by pfn (compare Linux's `struct page` array, mem_map).
 *
 * Reference counting follows the kernel: every PTE that maps a frame holds
 * one reference and one mapcount; the page cache holds one reference on the
 * pages it contains; a FOLL_PIN pin adds GUP_PIN_COUNTING_BIAS (1024) to the
 * refcount (include/linux/mm.h), so `page_maybe_dma_pinned()` has its real
 * false positives; a FOLL_GET reference adds 1. The shared zero page is
 * reserved and never refcounted by mappings (it is a "special" PTE, as
 * vm_normal_page() would say).
 *
 * Free frames sit on a LIFO stack, so the frame freed last is the next one
 * handed out: that is what makes "DMA into a page that changed owner" visible.
 * Bytes exist only for frames that were written with something non-zero:
 * they live in 1 MiB slabs (256 frames each) created on first use, and a
 * per-frame state says how much of a frame's 4 KiB there is meaningful:
 * nothing (the frame reads as zeros, so allocation "zeroes" a frame by
 * clearing one byte), all of it, or some of its 128-byte chunks (a 32-bit
 * mask per frame; the others read as zeros). A first small store zeroes
 * only its chunk, not the page — clear_page() without the memory traffic.
 *
 * A fourth state, UNIFORM, holds a frame whose 4 KiB are all one non-zero
 * byte value (a whole-page memset, or a copy of such a frame): the value
 * is the frame's only storage, and no slab byte is written or allocated
 * for it. It turns into a FULL frame (the value filled into its slab) the
 * first time a store or partial fill puts a different value in it or a
 * partial zero clears some of it; reads and copies never need that
 * (`peekBytes` hands out one shared read-only page per value).
 *
 * Invariant (checked by {@link FrameTable.byteStateProblems}, which `check`
 * runs): every frame's state is one of the four; a UNIFORM frame's value
 * is 1..255 (a fill with 0 makes it NONE); a PARTIAL frame's chunk mask is
 * neither empty nor full; FULL and PARTIAL frames have a slab and are
 * exactly the `materialized` ones; the shared zero page is NONE.
 *
 * @module
 */

import { PAGE_SIZE } from "../abi/layout.ts";

/** include/linux/mm.h: GUP_PIN_COUNTING_BIAS. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** Frames per byte slab (1 MiB): log2 and mask. */
const SLAB_SHIFT = 8;
const SLAB_FRAMES = 1 << SLAB_SHIFT;
const SLAB_MASK = SLAB_FRAMES - 1;
/** Bytes per validity chunk of a partly written frame (32 chunks per frame). */
const CHUNK_SHIFT = 7;
const CHUNK = 1 << CHUNK_SHIFT;

/** A frame's byte state (FrameTable.hasBytes). */
const NONE = 0, FULL = 1, PARTIAL = 2, UNIFORM = 3;

/** Page flag bits (a subset of PG_* and the kernel's page-type notions). */
export const PG_ANON = 1 << 0; // PageAnon: page->mapping is an anon_vma
export const PG_ANON_EXCLUSIVE = 1 << 1; // PG_anon_exclusive (5.19+)
export const PG_DIRTY = 1 << 2;
export const PG_FILE = 1 << 3; // in a file's page cache (incl. shmem)
export const PG_SHMEM = 1 << 4; // swap-backed page cache (tmpfs, shared anon)
export const PG_RESERVED = 1 << 5; // kernel/zero page: never freed
export const PG_ZERO = 1 << 6; // the shared zero page
export const PG_HWPOISON = 1 << 7;
export const PG_LOCKED_MLOCK = 1 << 8; // PG_mlocked
/**
 * PG_referenced: set by folio_mark_accessed() (GUP with FOLL_TOUCH, read(2),
 * zapping a young PTE of a file page), cleared by its second call (which
 * activates), by MADV_COLD/PAGEOUT and deactivation, and when the frame is
 * freed. smaps counts it in Referenced (fs/proc/task_mmu.c smaps_account).
 */
export const PG_REFERENCED = 1 << 9;
/** PG_active: on the active LRU list (mm/swap.c folio_activate/lru_deactivate). */
export const PG_ACTIVE = 1 << 10;
/**
 * PG_readahead, which is the same bit as PG_reclaim (include/linux/page-flags.h):
 * the readahead marker (the async window starts here), or a dirty page that
 * reclaim wanted gone. Fault-around skips such pages (next_uptodate_folio).
 */
export const PG_READAHEAD = 1 << 11;
/** PG_uptodate: a page-cache page whose contents are valid (mincore counts only these). */
export const PG_UPTODATE = 1 << 12;
/**
 * Queued on the per-CPU lru_deactivate batch (mm/swap.c folio_deactivate):
 * off the LRU until lru_add_drain() applies the deactivation.
 */
export const PG_LRU_DEACTIVATE = 1 << 13;
/**
 * A persistent-memory frame (ZONE_DEVICE, MEMORY_DEVICE_FS_DAX): it belongs
 * to the pmem device, never to the page allocator. Mappings and pins count
 * on it as on any page (fsdax folios are refcounted since 6.15); when its
 * last reference goes it stays with the device (free_zone_device_folio),
 * and the filesystem owning its block is told ({@link FrameTable.onDeviceIdle}).
 */
export const PG_PMEM = 1 << 14;

/**
 * An anonymous page that is not PG_swapbacked: MADV_FREE queued it on the
 * lru_lazyfree batch (mm/swap.c folio_mark_lazyfree; lru_lazyfree clears
 * PG_swapbacked at the drain, and every reader here drains first). Reclaim
 * may discard it while clean; a dirty one gets PG_swapbacked back there
 * (mm/rmap.c try_to_unmap_one).
 */
export const PG_LAZYFREE = 1 << 15;

/** Frame owner kinds, for display and invariants. */
export type FrameKind = "free" | "reserved" | "zero" | "anon" | "file" | "shmem" | "pmem";

export interface FrameTableOptions {
  /** Total RAM in bytes (a multiple of 4 KiB). */
  ramBytes: number;
  /** Frames below this pfn are reserved for the "kernel" and never allocated. */
  reservedFrames?: number;
  /**
   * Persistent memory right after RAM, in bytes (a multiple of 4 KiB):
   * frames [ramFrames, nframes) carry PG_PMEM and are never allocated.
   */
  pmemBytes?: number;
}

/**
 * The frame table.
 *
 * @example
 * ```ts
 * import { FrameTable } from "./frames.ts";
 * const ft = new FrameTable({ ramBytes: 64 << 20 });
 * const pfn = ft.alloc();
 * ft.writeByte(pfn, 10, 0x41);
 * console.log(ft.readByte(pfn, 10)); // 65
 * ```
 */
export class FrameTable {
  /** Every frame with a struct page: RAM, then persistent memory. */
  readonly nframes: number;
  /** RAM frames (pfns below this); pmem frames follow up to nframes. */
  readonly ramFrames: number;
  /** page_ref_count() by pfn: 0 for a free frame. */
  readonly refcount: Int32Array;
  /** page_mapcount() by pfn: the PTEs mapping the frame. */
  readonly mapcount: Int32Array;
  /** FOLL_PIN pins on this frame (also counted in refcount with the 1024 bias). */
  readonly pincount: Int32Array;
  /**
   * Plain references GUP holds (FOLL_GET, or FOLL_PIN before the bias),
   * by pfn, for the few frames that have them: what `check` accounts a
   * refcount above mappings, page cache and pins to (lib/mm/gup.ts).
   */
  readonly gupGets: Map<number, number> = new Map();
  /** The PG_* page flags by pfn. */
  readonly flags: Uint16Array;
  /** Owner id: anon_vma id for anon pages, inode number for page-cache pages. */
  readonly owner: Int32Array;
  /** page->index: file page index, or the linear page offset for anon pages. */
  readonly index: Float64Array;
  /**
   * The order of the folio a page-cache page was read in as (readahead
   * makes large folios on ext4): pages [index & ~(2^order - 1), +2^order)
   * form one folio for the readahead marker. 0 for everything else.
   */
  readonly order: Uint8Array;
  /** The shared zero page (ZERO_PAGE(0)), among the reserved frames. */
  readonly zeroPfn: number;
  /** Frames 0 .. reservedFrames-1 are the "kernel's" (PG_RESERVED, never allocated). */
  readonly reservedFrames: number;
  /**
   * The bytes behind a pfn past RAM (a device page: a BAR, pmem), from the
   * machine's iomem tree; such pfns never index the arrays above.
   */
  device: (pfn: number) => Uint8Array | undefined = () => undefined;
  /**
   * A PG_PMEM frame lost a reference (its last one when refcount is 0): the
   * machine wakes whoever waits for DAX pages to go idle (fs/dax.c
   * dax_break_layout's wait, woken from fsdax_folio_free/wake_up_var).
   */
  onDeviceIdle: (pfn: number) => void = () => {};
  private readonly freeStack: Int32Array;
  private freeTop: number;
  /** 1 MiB byte slabs, one per SLAB_FRAMES frames, created on first use. */
  private readonly slabs: (Uint8Array | undefined)[] = [];
  /** The same slabs as 8-byte words: a chunk is zeroed in 16 stores, not 128. */
  private readonly slabWords: (Float64Array | undefined)[] = [];
  /**
   * NONE: the frame reads as zeros; FULL: its slab bytes are meaningful;
   * PARTIAL: see `chunks`; UNIFORM: every byte is `chunks[pfn]` (1..255).
   */
  private readonly hasBytes: Uint8Array;
  /**
   * For a PARTIAL frame: bit c set when chunk c's bytes are meaningful
   * (others read as 0). For a UNIFORM frame: its byte value.
   */
  private readonly chunks: Int32Array;
  /** One read-only 4 KiB page per byte value, what `peekBytes` shows for UNIFORM frames. */
  private readonly uniformPages: (Uint8Array | undefined)[] = [];
  private nMaterialized = 0;

  /** A table for `opts.ramBytes` of RAM and `opts.pmemBytes` of pmem, all RAM free but the reserved frames. */
  constructor(opts: FrameTableOptions) {
    const n = Math.floor(opts.ramBytes / PAGE_SIZE);
    const reserved = opts.reservedFrames ?? Math.min(4096, n >> 4);
    if (n <= reserved + 1) throw new RangeError(`RAM of ${opts.ramBytes} bytes is too small`);
    const pmem = Math.floor((opts.pmemBytes ?? 0) / PAGE_SIZE);
    this.ramFrames = n;
    const total = n + pmem;
    this.nframes = total;
    this.reservedFrames = reserved;
    this.refcount = new Int32Array(total);
    this.mapcount = new Int32Array(total);
    this.pincount = new Int32Array(total);
    this.flags = new Uint16Array(total);
    this.owner = new Int32Array(total);
    this.index = new Float64Array(total);
    this.order = new Uint8Array(total);
    this.hasBytes = new Uint8Array(total);
    this.chunks = new Int32Array(total);
    for (let p = n; p < total; p++) this.flags[p] = PG_PMEM;
    for (let p = 0; p < reserved; p++) {
      this.flags[p] = PG_RESERVED;
      this.refcount[p] = 1;
    }
    this.zeroPfn = reserved >> 1;
    this.flags[this.zeroPfn] = PG_RESERVED | PG_ZERO;
    // Push high pfns first so that allocation hands out ascending pfns.
    this.freeStack = new Int32Array(n - reserved);
    this.freeTop = 0;
    for (let p = n - 1; p >= reserved; p--) this.freeStack[this.freeTop++] = p;
  }

  /** Number of free frames. */
  get freeCount(): number {
    return this.freeTop;
  }

  /**
   * Allocates a zeroed frame with refcount 1 (the caller's reference), or
   * returns -1 when memory is exhausted. mm/page_alloc.c: alloc_pages with
   * __GFP_ZERO.
   */
  alloc(): number {
    if (this.freeTop === 0) return -1;
    const pfn = this.freeStack[--this.freeTop];
    this.refcount[pfn] = 1;
    this.mapcount[pfn] = 0;
    this.pincount[pfn] = 0;
    this.flags[pfn] = 0;
    this.owner[pfn] = 0;
    this.index[pfn] = 0;
    this.order[pfn] = 0;
    this.drop(pfn);
    return pfn;
  }

  /**
   * Drops one reference; frees the frame when the count reaches zero.
   * Returns true if the frame was freed. mm/swap.c: folio_put.
   */
  put(pfn: number): boolean {
    if (this.flags[pfn] & PG_RESERVED) return false;
    const c = --this.refcount[pfn];
    if (c > 0) return false;
    if (c < 0) throw new Error(`refcount underflow on pfn ${pfn.toString(16)}`);
    const kept = this.flags[pfn] & (PG_PMEM | PG_HWPOISON);
    if (kept !== 0) {
      // A device page goes back to its device (free_zone_device_folio); a
      // poisoned page never returns to the allocator (memory-failure.c:
      // page_handle_poison keeps it off the free lists).
      this.flags[pfn] = kept;
      this.mapcount[pfn] = 0;
      if (kept & PG_PMEM) this.onDeviceIdle(pfn);
      return true;
    }
    // free_pages_prepare(): every page flag goes, PG_referenced included.
    this.flags[pfn] = 0;
    this.mapcount[pfn] = 0;
    this.freeStack[this.freeTop++] = pfn;
    return true;
  }

  /** Takes one reference (folio_get). */
  get(pfn: number): void {
    if (this.flags[pfn] & PG_RESERVED) return;
    this.refcount[pfn]++;
  }

  /** True if the frame is on the free stack. */
  isFree(pfn: number): boolean {
    return this.refcount[pfn] === 0 && !(this.flags[pfn] & (PG_RESERVED | PG_PMEM | PG_HWPOISON));
  }

  /** Whether `pfn` is a persistent-memory frame. */
  isPmem(pfn: number): boolean {
    return pfn >= this.ramFrames && pfn < this.nframes;
  }

  /**
   * mm/page_alloc.c take_page_off_buddy(): a free frame leaves the free
   * stack for good (memory failure on a free page). Returns false when the
   * frame is not free.
   */
  takeOffFree(pfn: number): boolean {
    if (this.refcount[pfn] !== 0) return false;
    for (let i = 0; i < this.freeTop; i++) {
      if (this.freeStack[i] !== pfn) continue;
      this.freeStack.copyWithin(i, i + 1, this.freeTop);
      this.freeTop--;
      return true;
    }
    return false;
  }

  /** Whether `pfn` sits on the free stack (an O(free) walk, for `check`). */
  onFreeStack(pfn: number): boolean {
    for (let i = 0; i < this.freeTop; i++) if (this.freeStack[i] === pfn) return true;
    return false;
  }

  /** include/linux/mm.h: folio_maybe_dma_pinned() for a small folio. */
  maybeDmaPinned(pfn: number): boolean {
    return this.refcount[pfn] >= GUP_PIN_COUNTING_BIAS;
  }

  /** What frame `pfn` holds, from its flags and refcount. */
  kind(pfn: number): FrameKind {
    const f = this.flags[pfn];
    if (f & PG_PMEM) return "pmem";
    if (f & PG_ZERO) return "zero";
    if (f & PG_RESERVED) return "reserved";
    if (this.refcount[pfn] === 0) return "free";
    if (f & PG_ANON) return "anon";
    if (f & PG_SHMEM) return "shmem";
    if (f & PG_FILE) return "file";
    return "anon";
  }

  /** Forgets a frame's bytes: it reads as zeros again. */
  private drop(pfn: number): void {
    const hb = this.hasBytes[pfn];
    if (hb !== NONE) {
      this.hasBytes[pfn] = NONE;
      if (hb !== UNIFORM) this.nMaterialized--;
    }
  }

  /** Makes every byte of the frame `v` without touching its slab (0: NONE). */
  private setUniform(pfn: number, v: number): void {
    if (v === 0) {
      this.drop(pfn);
      return;
    }
    const hb = this.hasBytes[pfn];
    if (hb === FULL || hb === PARTIAL) this.nMaterialized--;
    this.hasBytes[pfn] = UNIFORM;
    this.chunks[pfn] = v;
  }

  /** The slab holding `pfn`'s bytes, created (all zero) on first use. */
  private slabOf(pfn: number): Uint8Array {
    const si = pfn >>> SLAB_SHIFT;
    const slab = this.slabs[si];
    if (slab !== undefined) return slab;
    const fresh = new Uint8Array(SLAB_FRAMES * PAGE_SIZE);
    this.slabWords[si] = new Float64Array(fresh.buffer);
    return this.slabs[si] = fresh;
  }

  /** The frame's slab, with all its 4 KiB meaningful (zeroing what was not). */
  private materialize(pfn: number): Uint8Array {
    const fresh = this.slabs[pfn >>> SLAB_SHIFT] === undefined;
    const slab = this.slabOf(pfn);
    const base = (pfn & SLAB_MASK) * PAGE_SIZE;
    const hb = this.hasBytes[pfn];
    if (hb === NONE) {
      if (!fresh) slab.fill(0, base, base + PAGE_SIZE);
      this.nMaterialized++;
    } else if (hb === UNIFORM) {
      slab.fill(this.chunks[pfn], base, base + PAGE_SIZE);
      this.nMaterialized++;
    } else if (hb === PARTIAL) {
      const mask = this.chunks[pfn];
      for (let c = 0; c < PAGE_SIZE / CHUNK; c++) {
        if (!(mask & (1 << c))) slab.fill(0, base + c * CHUNK, base + (c + 1) * CHUNK);
      }
    }
    this.hasBytes[pfn] = FULL;
    return slab;
  }

  /** The frame's slab, all of it to be overwritten by the caller (no zeroing). */
  private claim(pfn: number): Uint8Array {
    const hb = this.hasBytes[pfn];
    if (hb === NONE || hb === UNIFORM) this.nMaterialized++;
    this.hasBytes[pfn] = FULL;
    return this.slabOf(pfn);
  }

  /** The frame's slab, with the chunk holding byte `off` meaningful. */
  private chunkFor(pfn: number, off: number): Uint8Array {
    const hb = this.hasBytes[pfn];
    const slab = this.slabOf(pfn);
    if (hb === FULL) return slab;
    let mask = 0;
    if (hb === NONE) {
      this.hasBytes[pfn] = PARTIAL;
      this.nMaterialized++;
    } else mask = this.chunks[pfn];
    const bit = 1 << (off >>> CHUNK_SHIFT);
    if (!(mask & bit)) {
      const words = this.slabWords[pfn >>> SLAB_SHIFT]!;
      const from = ((pfn & SLAB_MASK) * PAGE_SIZE + (off & ~(CHUNK - 1))) >>> 3;
      for (let i = from; i < from + (CHUNK >>> 3); i++) words[i] = 0;
      mask |= bit;
      if (mask === -1) this.hasBytes[pfn] = FULL;
      this.chunks[pfn] = mask;
    }
    return slab;
  }

  /** The byte at `off` in frame `pfn` (a device pfn reads its backing bytes, or 0). */
  readByte(pfn: number, off: number): number {
    if (pfn >= this.nframes) return this.device(pfn)?.[off] ?? 0;
    const hb = this.hasBytes[pfn];
    if (hb === NONE) return 0;
    if (hb === UNIFORM) return this.chunks[pfn];
    if (hb === PARTIAL && !(this.chunks[pfn] & (1 << (off >>> CHUNK_SHIFT)))) return 0;
    return this.slabs[pfn >>> SLAB_SHIFT]![(pfn & SLAB_MASK) * PAGE_SIZE + off];
  }

  /** Stores byte `v` at `off` in frame `pfn` (a device pfn without backing bytes drops it). */
  writeByte(pfn: number, off: number, v: number): void {
    if (pfn >= this.nframes) {
      const d = this.device(pfn);
      if (d !== undefined) d[off] = v;
      return;
    }
    const hb = this.hasBytes[pfn];
    let slab: Uint8Array;
    if (hb === FULL) slab = this.slabs[pfn >>> SLAB_SHIFT]!;
    else if (hb === UNIFORM) {
      if (v === this.chunks[pfn]) return;
      slab = this.materialize(pfn);
    } else {
      if (hb === NONE && v === 0) return;
      slab = this.chunkFor(pfn, off);
    }
    slab[(pfn & SLAB_MASK) * PAGE_SIZE + off] = v;
  }

  /** Stores `n` copies of `v` from `off` (memset into one frame; a whole page writes no bytes). */
  fill(pfn: number, off: number, n: number, v: number): void {
    if (pfn >= this.nframes) {
      this.device(pfn)?.fill(v, off, off + n);
      return;
    }
    if (off === 0 && n === PAGE_SIZE) {
      this.setUniform(pfn, v);
      return;
    }
    const hb = this.hasBytes[pfn];
    if (hb === NONE && v === 0) return;
    if (hb === UNIFORM && v === this.chunks[pfn]) return;
    const slab = hb === FULL ? this.slabs[pfn >>> SLAB_SHIFT]! : this.materialize(pfn);
    const base = (pfn & SLAB_MASK) * PAGE_SIZE;
    slab.fill(v, base + off, base + off + n);
  }

  /**
   * The frame's 4 KiB if any were ever written non-zero: a view into its
   * slab (or, for a frame of one byte value, a page shared by every such
   * frame), valid until the frame is freed or written again. Treat it as
   * read-only.
   */
  peekBytes(pfn: number): Uint8Array | undefined {
    if (pfn >= this.nframes) return this.device(pfn);
    const hb = this.hasBytes[pfn];
    if (hb === NONE) return undefined;
    if (hb === UNIFORM) {
      const v = this.chunks[pfn];
      return this.uniformPages[v] ??= new Uint8Array(PAGE_SIZE).fill(v);
    }
    const slab = hb === FULL ? this.slabs[pfn >>> SLAB_SHIFT]! : this.materialize(pfn);
    const base = (pfn & SLAB_MASK) * PAGE_SIZE;
    return slab.subarray(base, base + PAGE_SIZE);
  }

  /** Copies a whole frame (copy_user_highpage). */
  copy(dst: number, src: number): void {
    if (dst === src) return;
    if (src < this.nframes && this.hasBytes[src] === UNIFORM) {
      this.setUniform(dst, this.chunks[src]);
      return;
    }
    // A device page (pfn past RAM) as the source reads through peekBytes too.
    const from = this.peekBytes(src);
    if (from === undefined) {
      this.drop(dst);
      return;
    }
    // All of dst is overwritten unless a (device) source is short.
    const slab = from.length >= PAGE_SIZE ? this.claim(dst) : this.materialize(dst);
    slab.set(from.subarray(0, PAGE_SIZE), (dst & SLAB_MASK) * PAGE_SIZE);
  }

  /**
   * Sets the frame's 4 KiB to `bytes` (a whole page, as a read from disk
   * fills it); `undefined` makes it read as zeros.
   */
  load(pfn: number, bytes: Uint8Array | undefined): void {
    if (bytes === undefined) {
      this.drop(pfn);
      return;
    }
    const page = bytes.length === PAGE_SIZE ? bytes : bytes.subarray(0, PAGE_SIZE);
    // A short buffer leaves the rest of the page zero.
    const slab = page.length === PAGE_SIZE ? this.claim(pfn) : this.materialize(pfn);
    slab.set(page, (pfn & SLAB_MASK) * PAGE_SIZE);
  }

  /** Zeroes a range of a frame (clear_highpage / partial truncate). */
  zero(pfn: number, from = 0, to = PAGE_SIZE): void {
    if (this.hasBytes[pfn] === NONE) return;
    if (from === 0 && to === PAGE_SIZE) this.drop(pfn);
    else {
      const base = (pfn & SLAB_MASK) * PAGE_SIZE;
      this.materialize(pfn).fill(0, base + from, base + to);
    }
  }

  /** Number of frames holding real bytes in a slab (host memory use; UNIFORM frames hold none). */
  get materialized(): number {
    return this.nMaterialized;
  }

  /**
   * What breaks the byte-state invariant stated in this file's header, one
   * line per problem (none when it holds): an O(frames) walk for `check`.
   */
  byteStateProblems(): string[] {
    const errs: string[] = [];
    const hex = (p: number) => `0x${p.toString(16)}`;
    let held = 0;
    for (let pfn = 0; pfn < this.nframes; pfn++) {
      const hb = this.hasBytes[pfn], c = this.chunks[pfn];
      if (hb === UNIFORM && (c < 1 || c > 255)) {
        errs.push(`pfn ${hex(pfn)}: uniform bytes of value ${c}, not 1..255`);
      } else if (hb === PARTIAL && (c === 0 || c === -1)) {
        errs.push(`pfn ${hex(pfn)}: partly written with chunk mask ${c}`);
      } else if (hb > UNIFORM) errs.push(`pfn ${hex(pfn)}: byte state ${hb}`);
      if (hb === FULL || hb === PARTIAL) {
        held++;
        if (this.slabs[pfn >>> SLAB_SHIFT] === undefined) {
          errs.push(`pfn ${hex(pfn)}: bytes without a slab`);
        }
      }
    }
    if (held !== this.nMaterialized) {
      errs.push(`${this.nMaterialized} frames counted materialized, ${held} hold slab bytes`);
    }
    if (this.hasBytes[this.zeroPfn] !== NONE) errs.push("the zero page holds bytes");
    return errs;
  }
}
