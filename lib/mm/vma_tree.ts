/**
 * The ordered set of an mm's VMAs (compare Linux's maple tree, mm->mm_mt).
 *
 * A two-level B+-tree whose nodes live in a few flat typed arrays, so that
 * a lookup reads packed numbers instead of hopping through objects:
 *
 *   top level (address order)          leaves (slot L owns [L*CAP, L*CAP+CAP))
 *   ┌──────────┬──────────┬───┐        ┌─────────────┬─────────────┬───┐
 *   │ keys[li] │ order[li]│...│  ───►  │ starts[L*CAP+i] ends[...]   │   │
 *   └──────────┴──────────┴───┘        │ items[L*CAP+i] (the Vma)    │   │
 *    key = end of the leaf's last VMA  └─────────────┴─────────────┴───┘
 *
 * A leaf holds at most {@link LEAF_MAX} VMAs sorted by address; the leaf
 * for an address is found by binary search on `keys`, the VMA inside it by
 * binary search on `ends`. Each VMA remembers its leaf slot (`Vma.leaf`)
 * and, as a hint checked before use, its index in the arrays (`Vma.slot`);
 * when the hint is stale the index is found again by the VMA's end (ends
 * are strictly increasing), so removing or splitting never scans pointers. Lookups are
 * O(log n); an insert or remove moves at most LEAF_MAX numbers per array
 * plus, rarely, one leaf split or fold. The VMAs are also linked in address
 * order (`prev`/`next`), so neighbours are O(1).
 *
 * Each leaf caches the largest gap between its own VMAs (recomputed lazily
 * after a change), so the top-down free-area search used by mmap skips
 * full leaves instead of walking every VMA — compare the maple tree's gap
 * tracking behind mas_empty_area_rev().
 *
 * Invariants: VMAs sorted by start, non-overlapping, non-empty; no empty
 * leaf; `count` equals the number of VMAs; `starts`/`ends` mirror each
 * VMA's range; `keys[li]` is the end of leaf `order[li]`'s last VMA.
 * @module
 */

import type { Vma } from "./vma.ts";

export const LEAF_MAX = 32;
/** Slots per leaf: one more than LEAF_MAX, for the insert that precedes a split. */
const CAP = LEAF_MAX + 1;

/**
 * The VMAs of an mm in address order (the role of mm->mm_mt, the maple
 * tree): small sorted leaves under one sorted top level, plus a linked list.
 *
 * @example
 * ```ts ignore
 * const tree = new VmaTree();
 * tree.insert(vma);
 * tree.find(addr); // first VMA with end > addr (find_vma)
 * ```
 */
export class VmaTree {
  // Leaf storage, by leaf slot.
  private starts = new Float64Array(4 * CAP);
  private ends = new Float64Array(4 * CAP);
  private items: (Vma | null)[] = new Array<Vma | null>(4 * CAP).fill(null);
  private lens = new Int32Array(4);
  /** Largest raw gap between two VMAs of a leaf; -1 when stale. */
  private gaps = new Float64Array(4);
  /** Leaf slots not in use. */
  private free: number[] = [3, 2, 1, 0];
  // The top level, in address order.
  private order = new Int32Array(4);
  private keys = new Float64Array(4);
  private nLeaves = 0;

  /** Number of VMAs in the tree (map_count). */
  count = 0;
  /** Lowest VMA, null when empty. */
  first: Vma | null = null;
  /** Highest VMA, null when empty. */
  last: Vma | null = null;

  /** Index (in `order`) of the first leaf whose last VMA ends above `addr`. */
  private leafIndexFor(addr: number): number {
    const keys = this.keys;
    let lo = 0, hi = this.nLeaves;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Index (in the flat arrays) of leaf `leaf`'s first VMA with end > addr. */
  private posIn(leaf: number, addr: number): number {
    const ends = this.ends;
    let lo = leaf * CAP, hi = lo + this.lens[leaf];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Index (in the flat arrays) of a linked VMA: its `slot` hint when that
   * still holds it, else found by its end.
   */
  private indexOf(v: Vma, what: string): number {
    const h = v.slot;
    if (h >= 0 && this.items[h] === v) return h;
    const leaf = v.leaf;
    const i = leaf < 0 ? -1 : this.posIn(leaf, v.end - 1);
    if (i < 0 || this.items[i] !== v) throw new Error(`VmaTree.${what}: ${v} is not in this tree`);
    v.slot = i;
    return i;
  }

  /** mm/mmap.c: find_vma(): the first VMA with end > addr, or null. */
  find(addr: number): Vma | null {
    const li = this.leafIndexFor(addr);
    if (li === this.nLeaves) return null;
    const i = this.posIn(this.order[li], addr);
    const v = this.items[i]!;
    v.slot = i;
    return v;
  }

  /** The VMA containing addr (vma_lookup), or null. */
  lookup(addr: number): Vma | null {
    const v = this.find(addr);
    return v !== null && v.start <= addr ? v : null;
  }

  /** The last VMA with start < addr (find_vma_prev's prev), or null. */
  findPrev(addr: number): Vma | null {
    const v = this.find(addr);
    if (v === null) return this.last;
    return v.start < addr ? v : v.prev;
  }

  /** A free leaf slot, growing the storage when there is none. */
  private allocLeaf(): number {
    if (this.free.length === 0) {
      const n = this.lens.length, n2 = 2 * n;
      const grow = (a: Float64Array, size: number) => {
        const b = new Float64Array(size);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, n2 * CAP);
      this.ends = grow(this.ends, n2 * CAP);
      this.gaps = grow(this.gaps, n2);
      for (let i = n * CAP; i < n2 * CAP; i++) this.items.push(null);
      const lens = new Int32Array(n2);
      lens.set(this.lens);
      this.lens = lens;
      for (let l = n2 - 1; l >= n; l--) this.free.push(l);
    }
    const leaf = this.free.pop()!;
    this.lens[leaf] = 0;
    this.gaps[leaf] = -1;
    return leaf;
  }

  /** Puts leaf slot `leaf` at position `li` of the top level, with key `key`. */
  private linkLeaf(li: number, leaf: number, key: number): void {
    if (this.nLeaves === this.order.length) {
      const order = new Int32Array(2 * this.nLeaves);
      order.set(this.order);
      this.order = order;
      const keys = new Float64Array(2 * this.nLeaves);
      keys.set(this.keys);
      this.keys = keys;
    }
    const order = this.order, keys = this.keys;
    for (let i = this.nLeaves; i > li; i--) {
      order[i] = order[i - 1];
      keys[i] = keys[i - 1];
    }
    order[li] = leaf;
    keys[li] = key;
    this.nLeaves++;
  }

  /** Drops position `li` of the top level and frees its (empty) leaf slot. */
  private unlinkLeaf(li: number): void {
    const order = this.order, keys = this.keys;
    const leaf = order[li];
    const n = --this.nLeaves;
    for (let i = li; i < n; i++) {
      order[i] = order[i + 1];
      keys[i] = keys[i + 1];
    }
    this.lens[leaf] = 0;
    this.free.push(leaf);
  }

  /** Stores `v` at flat index `i` of `leaf`, moving the items from `i` up by one. */
  private insertAt(leaf: number, i: number, v: Vma): void {
    const starts = this.starts, ends = this.ends, items = this.items;
    for (let j = leaf * CAP + this.lens[leaf]; j > i; j--) {
      starts[j] = starts[j - 1];
      ends[j] = ends[j - 1];
      items[j] = items[j - 1];
    }
    starts[i] = v.start;
    ends[i] = v.end;
    items[i] = v;
    this.lens[leaf]++;
    this.gaps[leaf] = -1;
    v.leaf = leaf;
    v.slot = i;
  }

  /** Drops flat index `i` of `leaf`, moving the items above it down by one. */
  private removeAt(leaf: number, i: number): void {
    const starts = this.starts, ends = this.ends, items = this.items;
    const top = leaf * CAP + --this.lens[leaf];
    for (let j = i; j < top; j++) {
      starts[j] = starts[j + 1];
      ends[j] = ends[j + 1];
      items[j] = items[j + 1];
    }
    items[top] = null;
    this.gaps[leaf] = -1;
  }

  /** Links a VMA that overlaps none of the tree's VMAs. */
  insert(v: Vma): void {
    if (this.nLeaves === 0) {
      const leaf = this.allocLeaf();
      this.linkLeaf(0, leaf, v.end);
      this.insertAt(leaf, leaf * CAP, v);
      v.prev = v.next = null;
      this.first = this.last = v;
      this.count = 1;
      return;
    }
    let li = this.leafIndexFor(v.start);
    let i: number;
    if (li === this.nLeaves) {
      li--;
      const l = this.order[li];
      i = l * CAP + this.lens[l];
    } else {
      i = this.posIn(this.order[li], v.start);
    }
    const leaf = this.order[li];
    const top = leaf * CAP + this.lens[leaf];
    const next = i < top ? this.items[i] : null;
    if (next !== null && next.start < v.end) {
      throw new Error(`VmaTree.insert: ${v} overlaps ${next}`);
    }
    const prev = next !== null ? next.prev : this.last;
    this.insertAt(leaf, i, v);
    if (i === top) this.keys[li] = v.end;
    this.link(prev, v, next);
    if (this.lens[leaf] > LEAF_MAX) this.splitLeaf(li);
  }

  /** Links `v` into the address-ordered list between `prev` and `next` and counts it. */
  private link(prev: Vma | null, v: Vma, next: Vma | null): void {
    v.prev = prev;
    v.next = next;
    if (prev !== null) prev.next = v;
    else this.first = v;
    if (next !== null) next.prev = v;
    else this.last = v;
    this.count++;
  }

  /**
   * Links `n` right before or after `v`, which must be its neighbour in
   * address order (a split): no search through the top level unless the
   * leaf's key changes or it splits.
   */
  insertBeside(v: Vma, n: Vma, after: boolean): void {
    const leaf = v.leaf;
    const vi = this.indexOf(v, "insertBeside");
    const i = vi + (after ? 1 : 0);
    const prev = after ? v : v.prev;
    const next = after ? v.next : v;
    if ((prev !== null && prev.end > n.start) || (next !== null && next.start < n.end)) {
      throw new Error(`VmaTree.insertBeside: ${n} overlaps a neighbour`);
    }
    const wasTop = i === leaf * CAP + this.lens[leaf];
    this.insertAt(leaf, i, n);
    if (!after) v.slot = vi + 1;
    this.link(prev, n, next);
    if (wasTop) {
      // The leaf's key changes: found by the old key (prev's end).
      const li = this.leafIndexFor(prev!.end - 1);
      this.keys[li] = n.end;
      if (this.lens[leaf] > LEAF_MAX) this.splitLeaf(li);
    } else if (this.lens[leaf] > LEAF_MAX) {
      this.splitLeaf(this.leafIndexFor(this.ends[leaf * CAP + this.lens[leaf] - 1] - 1));
    }
  }

  /** Splits leaf number `li` (in `order`) in two halves, the right one in a new leaf. */
  private splitLeaf(li: number): void {
    const leaf = this.order[li];
    const len = this.lens[leaf];
    const half = len >>> 1;
    const right = this.allocLeaf();
    const starts = this.starts, ends = this.ends, items = this.items;
    const from = leaf * CAP + half, to = right * CAP;
    for (let k = 0; k < len - half; k++) {
      starts[to + k] = starts[from + k];
      ends[to + k] = ends[from + k];
      const x = items[from + k]!;
      items[to + k] = x;
      items[from + k] = null;
      x.leaf = right;
      x.slot = to + k;
    }
    this.lens[right] = len - half;
    this.lens[leaf] = half;
    this.gaps[leaf] = -1;
    this.linkLeaf(li + 1, right, this.keys[li]);
    this.keys[li] = ends[leaf * CAP + half - 1];
  }

  /** Unlinks a VMA that is in the tree. */
  remove(v: Vma): void {
    const i = this.indexOf(v, "remove");
    const leaf = v.leaf;
    const base = leaf * CAP;
    const wasLast = i === base + this.lens[leaf] - 1;
    // The leaf's index is needed only when its key or the top level changes;
    // the key array still holds the old key, so the search finds it.
    const li = wasLast || this.lens[leaf] <= LEAF_MAX >>> 2 ? this.leafIndexFor(v.end - 1) : -1;
    this.removeAt(leaf, i);
    const items = this.items;
    if (v.prev !== null) {
      v.prev.next = v.next;
      if (items[i - 1] === v.prev) v.prev.slot = i - 1;
    } else this.first = v.next;
    if (v.next !== null) {
      v.next.prev = v.prev;
      // The neighbour moved down into v's place (when in the same leaf).
      if (items[i] === v.next) v.next.slot = i;
    } else this.last = v.prev;
    v.prev = v.next = null;
    v.leaf = -1;
    v.slot = -1;
    this.count--;
    const len = this.lens[leaf];
    if (len === 0) {
      this.unlinkLeaf(li);
      return;
    }
    if (wasLast) this.keys[li] = this.ends[i - 1];
    // Keep leaves from fragmenting: fold a small leaf into its left neighbour.
    if (li > 0 && len < LEAF_MAX >>> 2) {
      const left = this.order[li - 1];
      const llen = this.lens[left];
      if (llen + len <= LEAF_MAX) {
        const starts = this.starts, ends = this.ends, items = this.items;
        const to = left * CAP + llen;
        for (let k = 0; k < len; k++) {
          starts[to + k] = starts[base + k];
          ends[to + k] = ends[base + k];
          const x = items[base + k]!;
          items[to + k] = x;
          items[base + k] = null;
          x.leaf = left;
          x.slot = to + k;
        }
        this.lens[left] = llen + len;
        this.gaps[left] = -1;
        this.keys[li - 1] = this.keys[li];
        this.unlinkLeaf(li);
      }
    }
  }

  /**
   * Changes a linked VMA's range in place (vma_set_range). The caller keeps
   * the order and non-overlap; this refreshes the packed keys and gaps.
   */
  setRange(v: Vma, start: number, end: number, pgoff: number): void {
    const i = this.indexOf(v, "setRange");
    const oldEnd = v.end;
    v.start = start;
    v.end = end;
    v.pgoff = pgoff;
    const leaf = v.leaf;
    this.starts[i] = start;
    this.ends[i] = end;
    this.gaps[leaf] = -1;
    if (end !== oldEnd && i === leaf * CAP + this.lens[leaf] - 1) {
      // Found by the old key, which the key array still holds.
      this.keys[this.leafIndexFor(oldEnd - 1)] = end;
    }
  }

  /**
   * The largest gap in front of any VMA of the leaf at `li`: the gaps
   * between its own VMAs are cached (so no change ever has to touch a
   * neighbouring leaf), the one before its first VMA comes from the keys.
   */
  private leafGap(li: number): number {
    const leaf = this.order[li];
    const base = leaf * CAP;
    let g = this.gaps[leaf];
    if (g < 0) {
      g = 0;
      const starts = this.starts, ends = this.ends;
      for (let i = base + 1; i < base + this.lens[leaf]; i++) {
        const d = starts[i] - ends[i - 1];
        if (d > g) g = d;
      }
      this.gaps[leaf] = g;
    }
    const first = this.starts[base] - (li > 0 ? this.keys[li - 1] : 0);
    return first > g ? first : g;
  }

  /**
   * The end of the highest free range inside [low, high) at least `len`
   * long, or -1 (mas_empty_area_rev: gaps are raw, without guard gaps).
   */
  highestGapEnd(low: number, high: number, len: number): number {
    if (high - low < len) return -1;
    const last = this.last;
    // The area above the last VMA.
    const topStart = Math.max(last === null ? 0 : last.end, low);
    if (high - topStart >= len) return high;
    if (last === null) return -1;
    let li = this.leafIndexFor(high - 1);
    if (li === this.nLeaves) li--;
    const starts = this.starts, ends = this.ends;
    for (; li >= 0; li--) {
      const base = this.order[li] * CAP;
      if (this.leafGap(li) < len) {
        if (starts[base] <= low) return -1;
        continue;
      }
      for (let i = base + this.lens[this.order[li]] - 1; i >= base; i--) {
        const vstart = starts[i];
        if (vstart <= low) return -1;
        const prevEnd = i > base ? ends[i - 1] : li > 0 ? this.keys[li - 1] : 0;
        const s = Math.max(prevEnd, low);
        const e = Math.min(vstart, high);
        if (e - s >= len) return e;
      }
    }
    return -1;
  }

  /**
   * The start of the lowest free range inside [low, high) at least `len`
   * long, or -1 (mas_empty_area, for the bottom-up allocator).
   */
  lowestGapStart(low: number, high: number, len: number): number {
    if (high - low < len) return -1;
    let prevEnd = 0;
    let v = this.find(low);
    if (v !== null && v.prev !== null) prevEnd = v.prev.end;
    else if (v === null && this.last !== null) prevEnd = this.last.end;
    for (;;) {
      const s = Math.max(prevEnd, low);
      const e = Math.min(v === null ? high : v.start, high);
      if (e - s >= len) return s;
      if (v === null || v.end >= high) return -1;
      prevEnd = v.end;
      v = v.next;
    }
  }

  /** Iterates VMAs in address order. */
  *[Symbol.iterator](): Iterator<Vma> {
    for (let v = this.first; v !== null; v = v.next) yield v;
  }

  /** Checks the structure's invariants; returns a description of the first break or null. */
  check(): string | null {
    let n = 0;
    let prev: Vma | null = null;
    const seen = new Set<number>();
    for (let li = 0; li < this.nLeaves; li++) {
      const leaf = this.order[li];
      if (seen.has(leaf) || this.free.includes(leaf)) return `leaf slot ${leaf} reused`;
      seen.add(leaf);
      const len = this.lens[leaf];
      if (len === 0) return "empty leaf";
      if (len > LEAF_MAX) return `leaf of ${len} VMAs`;
      for (let i = leaf * CAP; i < leaf * CAP + len; i++) {
        const v = this.items[i];
        if (v === null) return "a hole in a leaf";
        if (this.ends[i] !== v.end || this.starts[i] !== v.start) return `${v} has a stale key`;
        if (v.leaf !== leaf) return `${v} has a stale leaf`;
        if (v.prev !== prev) return `${v} has a wrong prev link`;
        if (prev !== null && prev.next !== v) return `${prev} has a wrong next link`;
        if (v.start >= v.end) return `${v} is empty`;
        if (v.start % 4096 !== 0 || v.end % 4096 !== 0) return `${v} is not page aligned`;
        if (prev !== null && prev.end > v.start) return `${prev} overlaps ${v}`;
        prev = v;
        n++;
      }
      if (this.keys[li] !== prev!.end) return `stale end key for leaf ${li}`;
    }
    if (prev !== this.last) return "wrong last";
    if (seen.size + this.free.length !== this.lens.length) return "a leaf slot leaked";
    if (n !== this.count) return `count ${this.count} but ${n} VMAs`;
    return null;
  }
}
