/**
 * The ordered set of an mm's VMAs (compare Linux's maple tree, mm->mm_mt).
 *
 * A two-level B+-tree: an array of leaves, each a sorted array of at most
 * {@link LEAF_MAX} VMAs; the leaves are found by binary search on the end of
 * their last VMA. Lookups are O(log n); an insert or remove moves at most
 * LEAF_MAX pointers plus, rarely, one leaf split. The VMAs are also linked
 * in address order (`prev`/`next`), so neighbours are O(1).
 *
 * Each leaf caches the largest gap in front of any of its VMAs (recomputed
 * lazily after a change), so the top-down free-area search used by mmap
 * skips full leaves instead of walking every VMA — compare the maple tree's
 * gap tracking behind mas_empty_area_rev().
 *
 * Invariants: VMAs sorted by start, non-overlapping, non-empty; no empty
 * leaf; `count` equals the number of VMAs.
 * @module
 */

import type { Vma } from "./vma.ts";

export const LEAF_MAX = 64;

/** arr.splice(pos, 0, x) without allocating the (empty) result array. */
function insertAt<T>(arr: T[], pos: number, x: T): void {
  let i = arr.length;
  arr.push(x);
  for (; i > pos; i--) arr[i] = arr[i - 1];
  arr[pos] = x;
}

/** arr.splice(pos, 1) without allocating the result array. */
function removeAt<T>(arr: T[], pos: number): void {
  const n = arr.length - 1;
  for (let i = pos; i < n; i++) arr[i] = arr[i + 1];
  arr.pop();
}

class Leaf {
  items: Vma[] = [];
  /** ends[i] = items[i].end, packed: the in-leaf search never touches a VMA. */
  ends: number[] = [];
  /** Largest raw gap before an item of this leaf; -1 when stale. */
  gap = -1;
}

/**
 * @example
 * ```ts ignore
 * const tree = new VmaTree();
 * tree.insert(vma);
 * tree.find(addr); // first VMA with end > addr (find_vma)
 * ```
 */
export class VmaTree {
  private leaves: Leaf[] = [];
  /** ends[i] = end of leaves[i]'s last VMA: the keys the leaf search reads. */
  private ends: number[] = [];
  count = 0;
  first: Vma | null = null;
  last: Vma | null = null;

  /** Index of the first leaf whose last VMA ends above `addr`. */
  private leafIndexFor(addr: number): number {
    const ends = this.ends;
    let lo = 0, hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private static posIn(ends: number[], addr: number): number {
    let lo = 0, hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** mm/mmap.c: find_vma(): the first VMA with end > addr, or null. */
  find(addr: number): Vma | null {
    const li = this.leafIndexFor(addr);
    if (li === this.leaves.length) return null;
    const leaf = this.leaves[li];
    return leaf.items[VmaTree.posIn(leaf.ends, addr)];
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

  /** Links a VMA that overlaps none of the tree's VMAs. */
  insert(v: Vma): void {
    if (this.leaves.length === 0) {
      const leaf = new Leaf();
      leaf.items.push(v);
      leaf.ends.push(v.end);
      v.leaf = leaf;
      this.leaves.push(leaf);
      this.ends.push(v.end);
      v.prev = v.next = null;
      this.first = this.last = v;
      this.count = 1;
      return;
    }
    let li = this.leafIndexFor(v.start);
    let pos: number;
    if (li === this.leaves.length) {
      li--;
      pos = this.leaves[li].items.length;
    } else {
      pos = VmaTree.posIn(this.leaves[li].ends, v.start);
    }
    const leaf = this.leaves[li];
    const items = leaf.items;
    const next = pos < items.length ? items[pos] : null;
    if (next !== null && next.start < v.end) {
      throw new Error(`VmaTree.insert: ${v} overlaps ${next}`);
    }
    const prev = next !== null ? next.prev : this.last;
    insertAt(items, pos, v);
    insertAt(leaf.ends, pos, v.end);
    if (pos === items.length - 1) this.ends[li] = v.end;
    v.leaf = leaf;
    v.prev = prev;
    v.next = next;
    if (prev !== null) prev.next = v;
    else this.first = v;
    if (next !== null) next.prev = v;
    else this.last = v;
    this.count++;
    leaf.gap = -1;
    if (items.length > LEAF_MAX) this.splitLeaf(li);
  }

  /**
   * Links `n` right before or after `v`, which must be its neighbour in
   * address order (a split): no search through the tree.
   */
  insertBeside(v: Vma, n: Vma, after: boolean): void {
    const leaf = v.leaf as Leaf;
    const items = leaf.items;
    const pos = items.indexOf(v) + (after ? 1 : 0);
    const prev = after ? v : v.prev;
    const next = after ? v.next : v;
    if ((prev !== null && prev.end > n.start) || (next !== null && next.start < n.end)) {
      throw new Error(`VmaTree.insertBeside: ${n} overlaps a neighbour`);
    }
    insertAt(items, pos, n);
    insertAt(leaf.ends, pos, n.end);
    n.leaf = leaf;
    n.prev = prev;
    n.next = next;
    if (prev !== null) prev.next = n;
    else this.first = n;
    if (next !== null) next.prev = n;
    else this.last = n;
    this.count++;
    leaf.gap = -1;
    if (pos === items.length - 1) {
      // The leaf's key changes: found by the old key (prev's end).
      const li = this.leafIndexFor(prev!.end - 1);
      this.ends[li] = n.end;
      if (items.length > LEAF_MAX) this.splitLeaf(li);
    } else if (items.length > LEAF_MAX) {
      this.splitLeaf(this.leafIndexFor(items[items.length - 1].end - 1));
    }
  }

  private splitLeaf(li: number): void {
    const leaf = this.leaves[li];
    const half = leaf.items.length >>> 1;
    const right = new Leaf();
    right.items = leaf.items.splice(half);
    right.ends = leaf.ends.splice(half);
    for (const x of right.items) x.leaf = right;
    leaf.gap = -1;
    this.leaves.splice(li + 1, 0, right);
    this.ends.splice(li + 1, 0, this.ends[li]);
    this.ends[li] = leaf.items[leaf.items.length - 1].end;
  }

  /** Unlinks a VMA that is in the tree. */
  remove(v: Vma): void {
    const leaf = v.leaf as Leaf | null;
    const items = leaf?.items;
    // By identity: a scan of at most LEAF_MAX pointers touches no VMA.
    const pos = items === undefined ? -1 : items.indexOf(v);
    if (leaf === null || pos < 0) throw new Error(`VmaTree.remove: ${v} is not in this tree`);
    const wasLast = pos === items!.length - 1;
    // The leaf's index is needed only when its key or the leaf list changes;
    // the key array still holds the old key, so the search finds it.
    const li = wasLast || items!.length <= LEAF_MAX >>> 2 ? this.leafIndexFor(v.end - 1) : -1;
    removeAt(items!, pos);
    removeAt(leaf.ends, pos);
    if (v.prev !== null) v.prev.next = v.next;
    else this.first = v.next;
    if (v.next !== null) v.next.prev = v.prev;
    else this.last = v.prev;
    v.prev = v.next = null;
    v.leaf = null;
    this.count--;
    leaf.gap = -1;
    if (items!.length === 0) {
      this.leaves.splice(li, 1);
      this.ends.splice(li, 1);
      return;
    }
    if (wasLast) this.ends[li] = items![pos - 1].end;
    // Keep leaves from fragmenting: fold a small leaf into its left neighbour.
    if (li > 0 && items!.length < LEAF_MAX >>> 2) {
      const left = this.leaves[li - 1];
      if (left.items.length + items!.length <= LEAF_MAX) {
        for (const x of items!) x.leaf = left;
        left.items.push(...items!);
        left.ends.push(...leaf.ends);
        left.gap = -1;
        this.leaves.splice(li, 1);
        this.ends.splice(li - 1, 1);
      }
    }
  }

  /**
   * Changes a linked VMA's range in place (vma_set_range). The caller keeps
   * the order and non-overlap; this only refreshes cached gaps.
   */
  setRange(v: Vma, start: number, end: number, pgoff: number): void {
    const oldEnd = v.end;
    v.start = start;
    v.end = end;
    v.pgoff = pgoff;
    const leaf = v.leaf as Leaf;
    leaf.gap = -1;
    const items = leaf.items;
    if (end !== oldEnd) leaf.ends[items.indexOf(v)] = end;
    if (items[items.length - 1] === v && end !== oldEnd) {
      // Found by the old key, which the ends array still holds.
      this.ends[this.leafIndexFor(oldEnd - 1)] = end;
    }
  }

  /**
   * The largest gap in front of any VMA of leaf `li`: the gaps between its
   * own VMAs are cached (so no change ever has to touch a neighbouring
   * leaf), the one before its first VMA comes from the packed key array.
   */
  private leafGap(li: number): number {
    const leaf = this.leaves[li];
    const items = leaf.items;
    if (leaf.gap < 0) {
      let g = 0;
      for (let i = 1; i < items.length; i++) {
        const d = items[i].start - leaf.ends[i - 1];
        if (d > g) g = d;
      }
      leaf.gap = g;
    }
    const first = items[0].start - (li > 0 ? this.ends[li - 1] : 0);
    return first > leaf.gap ? first : leaf.gap;
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
    if (li === this.leaves.length) li--;
    for (; li >= 0; li--) {
      const items = this.leaves[li].items;
      if (this.leafGap(li) < len) {
        if (items[0].start <= low) return -1;
        continue;
      }
      for (let i = items.length - 1; i >= 0; i--) {
        const v = items[i];
        if (v.start <= low) return -1;
        let prevEnd = 0;
        if (i > 0) prevEnd = items[i - 1].end;
        else if (li > 0) {
          const p = this.leaves[li - 1].items;
          prevEnd = p[p.length - 1].end;
        }
        const s = Math.max(prevEnd, low);
        const e = Math.min(v.start, high);
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
    for (const leaf of this.leaves) {
      if (leaf.items.length === 0) return "empty leaf";
      if (leaf.ends.length !== leaf.items.length) return "a leaf's ends and items differ";
      for (const [i, v] of leaf.items.entries()) {
        if (leaf.ends[i] !== v.end) return `${v} has a stale end key`;
        if (v.leaf !== leaf) return `${v} has a stale leaf`;
        if (v.prev !== prev) return `${v} has a wrong prev link`;
        if (prev !== null && prev.next !== v) return `${prev} has a wrong next link`;
        if (v.start >= v.end) return `${v} is empty`;
        if (v.start % 4096 !== 0 || v.end % 4096 !== 0) return `${v} is not page aligned`;
        if (prev !== null && prev.end > v.start) return `${prev} overlaps ${v}`;
        prev = v;
        n++;
      }
    }
    if (prev !== this.last) return "wrong last";
    if (this.ends.length !== this.leaves.length) return "ends and leaves differ in length";
    for (let i = 0; i < this.leaves.length; i++) {
      const items = this.leaves[i].items;
      if (this.ends[i] !== items[items.length - 1].end) return `stale end key for leaf ${i}`;
    }
    if (n !== this.count) return `count ${this.count} but ${n} VMAs`;
    return null;
  }
}
