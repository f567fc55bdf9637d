/**
 * VMA life cycle, split and merge: mm/vma.c of Linux 6.18.
 *
 * - {@link vmaLink} / {@link vmaRemove}: enter or leave the tree and the
 *   file's i_mmap (vma_link, remove_vma).
 * - {@link splitVma}: split_vma()/__split_vma().
 * - {@link mergeNewRange}: vma_merge_new_range(), used by mmap, brk and
 *   mremap growth to extend a neighbour instead of adding a VMA.
 * - {@link vmaModify}: vma_modify(): merge a changed sub-range into a
 *   neighbour if possible, otherwise split it out. mprotect, madvise and
 *   mlock all use it; "try to merge first, split only if that fails" is why
 *   changing a page and changing it back returns to one VMA.
 * @module
 */

import { ENOMEM } from "../abi/errno.ts";
import type { Mm } from "./mm.ts";
import type { AnonVma, Vma } from "./vma.ts";
import { any, clear, set, VM_IGNORE_MERGE, VM_SPECIAL, xor } from "./vm_flags.ts";
import type { OpenFile } from "../fs/file.ts";
import type { UffdContextRef } from "./vma.ts";
import { hexAddr, vmaText } from "./trace_text.ts";

/** Links a new VMA into its mm (vma_link + __vma_link_file). */
export function vmaLink(mm: Mm, v: Vma): void {
  mm.vmas.insert(v);
  linkFile(v);
}

/** __vma_link_file(): the VMA holds its file and joins the inode's i_mmap. */
function linkFile(v: Vma): void {
  if (v.file !== null) {
    v.file.refs++;
    v.file.inode.mappings.add(v);
  }
}

/**
 * Unlinks a VMA and releases it (remove_vma): vm_ops->close, fput. PTEs
 * must already be zapped.
 */
export function vmaRemove(mm: Mm, v: Vma): void {
  mm.vmas.remove(v);
  v.ops?.close?.(v);
  if (v.file !== null) {
    v.file.inode.mappings.delete(v);
    v.file.fput(mm.machine);
  } else if (v.ops === null && v.uffd === null && mm.freeVmas.length < FREE_VMAS_MAX) {
    // An anonymous VMA nothing else refers to: the next split reuses it.
    mm.freeVmas.push(v);
  }
}

/** At most this many freed VMAs are kept per mm for reuse. */
const FREE_VMAS_MAX = 32;

/** vm_area_dup(): a copy of `v`, in a freed VMA object of the mm when there is one. */
function vmaDup(mm: Mm, v: Vma): Vma {
  const free = mm.freeVmas;
  return free.length > 0 && v.mm === mm ? free.pop()!.reuseAs(v) : v.dup();
}

/**
 * mm/vma.c: __split_vma(). Splits `v` at `addr`; with `newBelow` the new VMA
 * is the part below `addr` and `v` keeps [addr, end), otherwise the new VMA
 * is [addr, end). Returns 0 or -errno. `checkCount` adds split_vma()'s
 * map_count >= max_map_count test.
 */
export function splitVma(
  mm: Mm,
  v: Vma,
  addr: number,
  newBelow: boolean,
  checkCount = true,
): number {
  const tr = mm.machine.trace;
  if (checkCount && mm.mapCount >= mm.machine.sysctl.maxMapCount) {
    tr?.step(
      "split_vma",
      `map_count ${mm.mapCount} >= vm.max_map_count ${mm.machine.sysctl.maxMapCount}: -ENOMEM`,
    );
    return -ENOMEM;
  }
  if (v.ops?.maySplit) {
    const err = v.ops.maySplit(v, addr);
    if (err) {
      tr?.step("__split_vma", `vm_ops->may_split refuses at ${hexAddr(addr)}: ${err}`);
      return err;
    }
  }
  tr?.step("__split_vma", `${vmaText(v)} split at ${hexAddr(addr)}`);
  const n = vmaDup(mm, v);
  if (newBelow) {
    n.end = addr;
    mm.vmas.setRange(v, addr, v.end, v.pgoff + (addr - v.start) / 4096);
  } else {
    n.start = addr;
    n.pgoff = v.pgoff + (addr - v.start) / 4096;
    mm.vmas.setRange(v, v.start, addr, v.pgoff);
  }
  mm.vmas.insertBeside(v, n, !newBelow);
  linkFile(n);
  n.ops?.open?.(n);
  return 0;
}

/** The attributes a VMA is to have: struct vma_merge_struct's proposal. */
export interface Proposal {
  /** vm_flags the VMA is to have. */
  flags: number;
  /** vm_file it is to map. */
  file: OpenFile | null;
  /** pgoff of `start`. */
  pgoff: number;
  /** anon_vma it is to use. */
  anonVma: AnonVma | null;
  /** userfaultfd context it is to keep. */
  uffd: UffdContextRef | null;
  /** anon_vma_name it is to carry. */
  anonName: string | null;
}

/** vma_is_fork_child() */
function isForkChild(v: Vma | null): boolean {
  return v !== null && v.anonVma !== null && v.forkChild;
}

/** is_mergeable_vma(): flags (ignoring sticky ones), file, uffd ctx, anon name. */
function isMergeableVma(v: Vma, p: Proposal): boolean {
  if (clear(xor(v.flags, p.flags), VM_IGNORE_MERGE) !== 0) return false;
  if (v.file !== p.file) return false;
  if (v.uffd !== p.uffd) return false;
  if (v.anonName !== p.anonName) return false;
  return true;
}

/** is_mergeable_anon_vma(): `src` is the VMA being changed (or null for a new range). */
function isMergeableAnonVma(tgt: Vma, p: Proposal, src: Vma | null): boolean {
  if (tgt.anonVma === null && p.anonVma !== null) return !isForkChild(src);
  if (tgt.anonVma !== null && p.anonVma === null) return !isForkChild(tgt);
  return tgt.anonVma === p.anonVma;
}

/** can_vma_merge_after(): the proposal can extend `prev` upwards. */
function canMergeAfter(prev: Vma, p: Proposal, src: Vma | null): boolean {
  return isMergeableVma(prev, p) && isMergeableAnonVma(prev, p, src) &&
    prev.pgoff + prev.pages === p.pgoff;
}

/** can_vma_merge_before(): the proposal [start, end) can extend `next` downwards. */
function canMergeBefore(next: Vma, p: Proposal, start: number, end: number, src: Vma | null) {
  return isMergeableVma(next, p) && isMergeableAnonVma(next, p, src) &&
    next.pgoff === p.pgoff + (end - start) / 4096;
}

/** can_merge_remove_vma(): a VMA with vm_ops->close cannot be merged away. */
function canRemove(v: Vma): boolean {
  return v.ops === null || v.ops.close === undefined;
}

/** dup_anon_vma(): the merged VMA inherits the source's anon_vma. */
function dupAnonVma(dst: Vma, src: Vma): void {
  if (src.anonVma !== null && dst.anonVma === null) {
    dst.anonVma = src.anonVma;
    dst.forkChild = src.forkChild;
  }
}

/** Sticky flags of `from` are OR-ed into `into` when merging (VM_MAYBE_GUARD...). */
function orSticky(into: Vma, from: Vma): void {
  const sticky = from.flags % 2 ** 32 & VM_IGNORE_MERGE;
  if (sticky) into.flags = set(into.flags, sticky);
}

/**
 * mm/vma.c: vma_merge_new_range(). [start, end) is empty; `prev`/`next` are
 * its neighbours (not necessarily adjacent). Returns the expanded VMA, or
 * null when no merge is possible.
 */
export function mergeNewRange(
  mm: Mm,
  prev: Vma | null,
  next: Vma | null,
  start: number,
  end: number,
  p: Proposal,
  justExpand = false,
): Vma | null {
  if (any(p.flags, VM_SPECIAL) || (prev === null && next === null)) return null;
  const left = prev !== null && prev.end === start && canMergeAfter(prev, p, null);
  let right = !justExpand && next !== null && next.start === end &&
    canMergeBefore(next, p, start, end, null);
  if (right && left) {
    right = prev!.anonVma === null || next!.anonVma === null || prev!.anonVma === next!.anonVma;
  }
  mm.machine.trace?.step(
    "vma_merge_new_range",
    left || right
      ? `merges with ${left ? "prev" : ""}${left && right ? " and " : ""}${right ? "next" : ""}`
      : "no compatible neighbour: a new VMA",
  );
  if (left) {
    const target = prev!;
    if (right && canRemove(next!)) {
      // prev expands over the new range and next; next is deleted.
      const nend = next!.end;
      dupAnonVma(target, next!);
      orSticky(target, next!);
      vmaRemove(mm, next!);
      mm.vmas.setRange(target, target.start, nend, target.pgoff);
    } else {
      mm.vmas.setRange(target, target.start, end, target.pgoff);
    }
    return target;
  }
  if (right) {
    const target = next!;
    mm.vmas.setRange(target, start, target.end, p.pgoff);
    return target;
  }
  return null;
}

/**
 * mm/vma.c: vma_merge_existing_range(). `middle` is the VMA containing
 * [start, end) whose attributes are changing to `p`; `prev` is the VMA
 * before it. Returns the VMA now covering [start, end), or null.
 */
function mergeExistingRange(
  mm: Mm,
  prev: Vma | null,
  middle: Vma,
  start: number,
  end: number,
  p: Proposal,
): Vma | null {
  const leftSide = start === middle.start;
  const rightSide = end === middle.end;
  if (any(p.flags, VM_SPECIAL) || (!leftSide && !rightSide)) return null;
  const mergeLeft = leftSide && prev !== null && prev.end === start &&
    canMergeAfter(prev, p, middle);
  const next = rightSide ? middle.next : null;
  let mergeRight = rightSide && next !== null && next.start === end &&
    canMergeBefore(next, p, start, end, middle);
  if (mergeRight && mergeLeft) {
    mergeRight = prev!.anonVma === null || next!.anonVma === null ||
      prev!.anonVma === next!.anonVma;
  }
  const tr = mm.machine.trace;
  if (!mergeLeft && !mergeRight) {
    tr?.step(
      "vma_merge_existing_range",
      "neighbours differ (flags, file, anon_vma, uffd): no merge",
    );
    return null;
  }
  const removeMiddle = leftSide && rightSide;
  if (removeMiddle && !canRemove(middle)) {
    tr?.step("vma_merge_existing_range", "the VMA has vm_ops->close: cannot be removed, no merge");
    return null;
  }
  let mergeBoth = mergeLeft && mergeRight;
  if (mergeBoth && !canRemove(next!)) {
    mergeBoth = false;
    mergeRight = false;
  }
  tr?.step(
    "vma_merge_existing_range",
    mergeBoth
      ? "prev, the range and next become one VMA"
      : mergeLeft
      ? "prev extends over the range"
      : "next extends over the range",
  );
  if (mergeBoth) {
    //  |<-------------------->|
    //  |-------********-------|
    //    prev   middle   next      prev extends, middle and next go
    const t = prev!;
    dupAnonVma(t, next!.anonVma !== null ? next! : middle);
    orSticky(t, middle);
    orSticky(t, next!);
    const nend = next!.end;
    vmaRemove(mm, middle);
    vmaRemove(mm, next!);
    mm.vmas.setRange(t, t.start, nend, t.pgoff);
    return t;
  }
  if (mergeLeft) {
    //  |-------*************      prev extends, middle shrinks or goes
    const t = prev!;
    dupAnonVma(t, middle);
    orSticky(t, middle);
    if (removeMiddle) vmaRemove(mm, middle);
    else mm.vmas.setRange(middle, end, middle.end, middle.pgoff + (end - middle.start) / 4096);
    mm.vmas.setRange(t, t.start, end, t.pgoff);
    return t;
  }
  //  *************-------|      next extends, middle shrinks or goes
  const t = next!;
  dupAnonVma(t, middle);
  orSticky(t, middle);
  const npgoff = t.pgoff - (t.start - start) / 4096;
  if (removeMiddle) vmaRemove(mm, middle);
  else mm.vmas.setRange(middle, middle.start, start, middle.pgoff);
  mm.vmas.setRange(t, start, t.end, npgoff);
  return t;
}

/** What {@link vmaModify} changes. Unset fields keep the VMA's value. */
export interface VmaChange {
  flags?: number;
  uffd?: UffdContextRef | null;
  anonName?: string | null;
}

/**
 * mm/vma.c: vma_modify(). Makes [start, end) of `v` (which must contain it)
 * carry `change`: merges it into a neighbour when §0.3 allows, otherwise
 * splits it out. Returns the VMA covering exactly [start, end) with the new
 * attributes applied, or -errno (ENOMEM at the map-count limit, EINVAL when
 * a special mapping refuses to split). The caller applies side effects on
 * PTEs.
 */
export function vmaModify(
  mm: Mm,
  v: Vma,
  start: number,
  end: number,
  change: VmaChange,
): Vma | number {
  // The mm's scratch proposal: nothing below keeps it past this call.
  const p = mm.proposal;
  p.flags = change.flags ?? v.flags;
  p.file = v.file;
  p.pgoff = v.pgoff + (start - v.start) / 4096;
  p.anonVma = v.anonVma;
  p.uffd = change.uffd !== undefined ? change.uffd : v.uffd;
  p.anonName = change.anonName !== undefined ? change.anonName : v.anonName;
  const prev = start === v.start ? v.prev : v;
  const merged = mergeExistingRange(mm, prev, v, start, end, p);
  if (merged !== null) return merged;
  if (v.start < start) {
    const err = splitVma(mm, v, start, true);
    if (err) return err;
  }
  if (v.end > end) {
    const err = splitVma(mm, v, end, false);
    if (err) return err;
  }
  v.flags = p.flags;
  v.uffd = p.uffd;
  v.anonName = p.anonName;
  return v;
}
