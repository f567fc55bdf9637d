/**
 * mremap(2): mm/mremap.c of Linux 6.17/6.18 — SYSCALL mremap -> do_mremap()
 * -> check_mremap_params(), then either remap_move() (MREMAP_FIXED with
 * old_len == new_len, several VMAs allowed since 6.17) or vma_lookup() +
 * check_prep_vma() + mremap_to() / mremap_at(). linux-mm.md §5.
 *
 * A move creates the destination VMA with copy_vma() (which may merge it
 * into a neighbour), moves the page-table entries (same frames: no
 * reference or mapcount changes), then unmaps the source range, which no
 * longer maps anything. Checks run in the kernel's order; the first
 * failing one wins. Verified on 6.18.44 (see tests/mm/mremap_test.ts).
 * @module
 */

import { EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM } from "../abi/errno.ts";
import {
  MAP_FIXED,
  MAP_SHARED,
  MREMAP_DONTUNMAP,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} from "../abi/mman.ts";
import { BIG_TASK_SIZE, pageAlignU64, TASK_SIZE, u64, U64_MAX } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  any,
  clear,
  combine,
  has,
  set,
  VM_ACCOUNT,
  VM_DONTEXPAND,
  VM_IGNORE_MERGE,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_LOCKONFAULT,
  VM_MAYSHARE,
  VM_PFNMAP,
  VM_SEALED,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
} from "./vm_flags.ts";
import { getUnmappedArea } from "./get_unmapped_area.ts";
import { doMunmap } from "./munmap.ts";
import { mergeNewRange, vmaLink } from "./vma_ops.ts";
import { populateRange } from "./populate.ts";
import { mayExpandVm, mlockFutureOk, vmEnoughMemory } from "./accounting.ts";
import { pteClear } from "./pagetable.ts";
import { uffdWpDropRange } from "./userfaultfd_k.ts";

const MREMAP_FLAGS = BigInt(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP);
const PAGE = 4096;

/** mm/mremap.c: enum mremap_type. */
type RemapType = "noresize" | "shrink" | "expand";

/** mm/mremap.c: struct vma_remap_struct. Lengths are page aligned. */
interface Vrm {
  p: Process;
  mm: Mm;
  addr: number;
  /** May exceed 2^53 (then inexact) only where the kernel fails on it anyway. */
  oldLen: number;
  newLen: number;
  flags: number;
  newAddr: number;
  vma: Vma | null;
  delta: number;
  type: RemapType;
  /** mlock()'d and expanded: populate the new part once done. */
  populateExpand: boolean;
}

/** vrm_implies_new_addr(): FIXED or DONTUNMAP always yield a new address. */
function impliesNewAddr(vrm: Vrm): boolean {
  return (vrm.flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
}

/**
 * mm/mremap.c: check_mremap_params(), on u64 registers, before the VMA
 * lookup. Returns 0 or -errno.
 */
function checkMremapParams(
  mm: Mm,
  addr: bigint,
  oldLen: bigint,
  newLen: bigint,
  flags: bigint,
  newAddr: bigint,
): number {
  // 1. Only MAYMOVE, FIXED and DONTUNMAP exist (all 64 bits count).
  if ((flags & ~MREMAP_FLAGS) !== 0n) return -EINVAL;
  // 2. The old address must be page aligned.
  if ((addr & 0xfffn) !== 0n) return -EINVAL;
  // 3. PAGE_ALIGN(new_len) == 0 (a zero old_len is the "duplicate shm" case).
  if (newLen === 0n) return -EINVAL;
  // 4. 6.17+: a silly new length fails here, before the lookup.
  if (newLen > BIG_TASK_SIZE) return -EINVAL;
  if ((flags & BigInt(MREMAP_FIXED | MREMAP_DONTUNMAP)) === 0n) return 0;
  // 5. A silly new address (checked before its alignment).
  if (newAddr > BIG_TASK_SIZE - newLen) return -EINVAL;
  if ((newAddr & 0xfffn) !== 0n) return -EINVAL;
  // 6. A fixed address implies a move.
  if ((flags & BigInt(MREMAP_MAYMOVE)) === 0n) return -EINVAL;
  // 7. DONTUNMAP cannot resize.
  if ((flags & BigInt(MREMAP_DONTUNMAP)) !== 0n && oldLen !== newLen) return -EINVAL;
  // 8. vrm_overlaps(), in unsigned long arithmetic.
  const endOld = BigInt.asUintN(64, addr + oldLen);
  if (endOld > newAddr && newAddr + newLen > addr) return -EINVAL;
  // 9. Both ranges may split in three before move_vma()'s own check.
  if (mm.mapCount + 2 >= mm.machine.sysctl.maxMapCount - 3) return -ENOMEM;
  return 0;
}

/**
 * mm/vma.c: do_vmi_munmap()'s argument checks, then the unmap. mremap
 * hands it lengths that may be absurd (a huge old_len on shrink) or 0.
 */
function vmiMunmap(mm: Mm, start: number, len: number): number {
  if (start % PAGE !== 0 || start > TASK_SIZE || len > TASK_SIZE - start) return -EINVAL;
  const end = start + Math.ceil(len / PAGE) * PAGE;
  if (end === start) return -EINVAL;
  return doMunmap(mm, start, end);
}

/**
 * mm/mremap.c: check_prep_vma(): the VMA-specific checks, in order.
 * Sets delta, type and (when not moving) newAddr = addr.
 */
function checkPrepVma(vrm: Vrm): number {
  const vma = vrm.vma;
  if (vma === null) return -EFAULT;
  // If mseal()'d, mremap() is prohibited.
  if (has(vma.flags, VM_SEALED)) return -EPERM;
  // (hugetlb alignment: this machine has no hugetlb pages to map.)
  vrm.delta = Math.abs(vrm.oldLen - vrm.newLen);
  vrm.type = vrm.delta === 0 ? "noresize" : vrm.oldLen > vrm.newLen ? "shrink" : "expand";
  if (!impliesNewAddr(vrm)) vrm.newAddr = vrm.addr;
  // vrm_will_map_new(): only growth and moves check further (surprise §11.4).
  if (vrm.type !== "expand" && !impliesNewAddr(vrm)) return 0;
  let oldLen = vrm.oldLen;
  const newLen = vrm.newLen;
  // Duplicating a private mapping with old_len == 0 makes no sense.
  if (oldLen === 0 && !(vma.flags & (VM_SHARED | VM_MAYSHARE))) return -EINVAL;
  if ((vrm.flags & MREMAP_DONTUNMAP) && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP))) {
    return -EINVAL;
  }
  // A shrink may unmap across VMAs; only the kept part must fit the VMA.
  if (vrm.type === "shrink") oldLen = newLen;
  // We can't remap across the end of the VMA.
  if (oldLen > vma.end - vrm.addr) return -EFAULT;
  if (newLen === oldLen) return 0;
  if (vma.flags & VM_LOCKED) vrm.populateExpand = true;
  // Need to be careful about a growing mapping: pgoff must not wrap.
  const pgoff = BigInt(vma.pgoff + (vrm.addr - vma.start) / PAGE);
  if (pgoff + BigInt(newLen / PAGE) > U64_MAX) return -EINVAL;
  if (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) return -EFAULT;
  if (!mlockFutureOk(vrm.mm, vma.flags, vrm.delta)) return -EAGAIN;
  if (!mayExpandVm(vrm.mm, vma.flags, vrm.delta / PAGE)) return -ENOMEM;
  return 0;
}

/**
 * mm/mremap.c: shrink_vma(): unmap [addr + new_len, addr + old_len), which
 * may span several VMAs and holes; then (when the move goes on with the
 * lock held) look the VMA up again.
 */
function shrinkVma(vrm: Vrm, dropLock: boolean): number {
  const err = vmiMunmap(vrm.mm, vrm.addr + vrm.newLen, vrm.delta);
  vrm.vma = null;
  if (err || dropLock) return err;
  vrm.vma = vrm.mm.vmas.lookup(vrm.addr);
  return vrm.vma === null ? -EFAULT : 0;
}

/**
 * mm/mremap.c: vrm_set_new_addr(): get_unmapped_area() with the VMA's file
 * and pgoff; FIXED is MAP_FIXED, DONTUNMAP alone makes new_addr a hint.
 */
function setNewAddr(vrm: Vrm): number {
  const vma = vrm.vma!;
  const pgoff = vma.pgoff + (vrm.addr - vma.start) / PAGE;
  const r = getUnmappedArea(vrm.mm, {
    addr: impliesNewAddr(vrm) ? vrm.newAddr : 0,
    len: vrm.newLen,
    pgoff,
    flags: (vrm.flags & MREMAP_FIXED ? MAP_FIXED : 0) | (vma.flags & VM_MAYSHARE ? MAP_SHARED : 0),
    file: vma.file,
  });
  if (r < 0) return r;
  vrm.newAddr = r;
  return 0;
}

/**
 * mm/vma.c: copy_vma(): the destination VMA for [addr, addr + len) with
 * the source's attributes at `pgoff`, merged into a neighbour when
 * possible (vma_merge_new_range() with copied_from = the source), else a
 * vm_area_dup() of the source. An anonymous VMA that was never faulted
 * (no anon_vma) takes pgoff = addr >> PAGE_SHIFT, which helps it merge;
 * a faulted one keeps its pgoff, since its pages' indexes depend on it.
 */
function copyVma(
  mm: Mm,
  vma: Vma,
  addr: number,
  len: number,
  pgoff: number,
): { newVma: Vma; src: Vma } {
  const vmaStart = vma.start;
  if (vma.isAnonymous && vma.anonVma === null) pgoff = addr / PAGE;
  const prev = mm.vmas.findPrev(addr);
  const next = mm.vmas.find(addr);
  const merged = mergeNewRange(mm, prev, next, addr, addr + len, {
    flags: vma.flags,
    file: vma.file,
    pgoff,
    anonVma: vma.anonVma,
    uffd: vma.uffd,
    anonName: vma.anonName,
  });
  if (merged !== null) {
    // vma_expand(): dup_anon_vma() from copied_from; sticky flags carry over.
    if (merged.anonVma === null && vma.anonVma !== null) {
      merged.anonVma = vma.anonVma;
      merged.forkChild = vma.forkChild;
    }
    const sticky = vma.flags % 2 ** 32 & VM_IGNORE_MERGE;
    if (sticky) merged.flags = set(merged.flags, sticky);
    // An unfaulted source can merge with its own copy: it is the new VMA now.
    const self = vmaStart >= merged.start && vmaStart < merged.end;
    return { newVma: merged, src: self ? merged : vma };
  }
  const n = vma.dup();
  n.start = addr;
  n.end = addr + len;
  n.pgoff = pgoff;
  n.ops?.open?.(n);
  vmaLink(mm, n);
  return { newVma: n, src: vma };
}

/**
 * mm/mremap.c: move_page_tables() / move_ptes(): every non-none entry of
 * [oldAddr, oldAddr + len) — present pages, the zero page, guard and
 * poison markers — is cleared at the source and set at the destination
 * with the same pfn and bits. Frames keep their refcount and mapcount:
 * the mapping moves, nothing is copied. Secondary MMUs see an UNMAP of
 * the source range.
 */
function movePageTables(mm: Mm, oldAddr: number, newAddr: number, len: number): void {
  if (len === 0) return;
  const range = mm.invalidateStart(oldAddr, oldAddr + len, "UNMAP");
  const moved: number[] = [];
  const oldVpn = oldAddr / PAGE;
  mm.pt.forEachTable(oldVpn, oldVpn + len / PAGE, (t, base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      if (t.bits[i] === 0) continue;
      moved.push(base + i, t.pfn[i], t.bits[i]);
      pteClear(t, i);
    }
  });
  const shift = (newAddr - oldAddr) / PAGE;
  for (let i = 0; i < moved.length; i += 3) mm.pt.set(moved[i] + shift, moved[i + 1], moved[i + 2]);
  mm.invalidateEnd(range);
}

/**
 * mm/mremap.c: unmap_source_vma(). Errors (a split refused at the map
 * count limit) are ignored: the move has happened. The kernel's
 * VM_ACCOUNT juggling is not needed here, Committed_AS being computed
 * from the VMAs that remain.
 */
function unmapSourceVma(vrm: Vrm): void {
  // old_len == 0 (duplicating a shared mapping): do_vmi_munmap() refuses.
  vmiMunmap(vrm.mm, vrm.addr, vrm.oldLen);
  vrm.vma = null;
}

/**
 * mm/mremap.c: dontunmap_complete(): the source VMA stays, empty. 6.18
 * clears VM_LOCKED/VM_LOCKONFAULT on the whole VMA (even when only part
 * of it moved) but keeps VM_ACCOUNT; an anon_vma that no longer maps
 * anything is unlinked.
 */
function dontunmapComplete(vrm: Vrm, newVma: Vma): void {
  const v = vrm.vma!;
  const start = vrm.addr, end = vrm.addr + vrm.oldLen;
  const oldStart = v.start, oldEnd = v.end;
  v.flags = clear(v.flags, VM_LOCKED_MASK);
  if (newVma !== v && start === oldStart && end === oldEnd) {
    // unlink_anon_vmas()
    v.anonVma = null;
    v.forkChild = false;
  }
}

/** mm/mremap.c: move_vma(): prep_move_vma(), charge, copy, move, unmap. */
function moveVma(vrm: Vrm): number {
  const mm = vrm.mm;
  const vma = vrm.vma!;
  // prep_move_vma(): stay clear of the limit do_munmap() would hit later.
  if (mm.mapCount >= mm.machine.sysctl.maxMapCount - 3) return -ENOMEM;
  if (vma.ops?.maySplit) {
    let err = 0;
    if (vma.start !== vrm.addr) err = vma.ops.maySplit(vma, vrm.addr);
    if (!err && vma.end !== vrm.addr + vrm.oldLen) {
      err = vma.ops.maySplit(vma, vrm.addr + vrm.oldLen);
    }
    if (err) return err;
  }
  // vrm_calc_charge(): a move charges the growth; DONTUNMAP the whole new length.
  if (vma.flags & VM_ACCOUNT) {
    const charged = (vrm.flags & MREMAP_DONTUNMAP ? vrm.newLen : vrm.delta) / PAGE;
    if (!vmEnoughMemory(mm, charged)) return -ENOMEM;
  }
  // copy_vma_and_data()
  const pgoff = vma.pgoff + (vrm.addr - vma.start) / PAGE;
  const { newVma, src } = copyVma(mm, vma, vrm.newAddr, vrm.newLen, pgoff);
  vrm.vma = src;
  // mremap_userfaultfd_prep(): without UFFD_FEATURE_EVENT_REMAP the moved
  // VMA drops its context and uffd flags (userfaultfd_reset_ctx); with it
  // the VMA keeps them and a UFFD_EVENT_REMAP is begun. The source keeps
  // them until it is unmapped (an UNMAP event after the REMAP).
  const remapped = newVma.uffd?.remapPrep?.() ?? null;
  if (newVma.uffd !== null && remapped === null) {
    newVma.uffd = null;
    newVma.flags = clear(newVma.flags, combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR));
  }
  const move = { from: vrm.addr, to: vrm.newAddr, len: vrm.oldLen };
  movePageTables(mm, vrm.addr, vrm.newAddr, vrm.oldLen);
  // move_ptes(): without EVENT_REMAP (vma_has_uffd_without_event_remap())
  // the moved PTEs lose the uffd-wp bit and the uffd-wp markers go.
  if (has(vma.flags, VM_UFFD_WP) && !has(newVma.flags, VM_UFFD_WP)) {
    uffdWpDropRange(mm, vrm.newAddr, vrm.newAddr + vrm.oldLen);
  }
  const err = src.ops?.mremap?.(newVma) ?? 0;
  // mremap_userfaultfd_complete(): {from, to, len} of the move, none if it failed.
  remapped?.(err ? null : move);
  if (err) {
    // Move the entries back and unmap the new area instead of the old.
    movePageTables(mm, vrm.newAddr, vrm.addr, vrm.oldLen);
    vrm.vma = newVma;
    vrm.oldLen = vrm.newLen;
    vrm.addr = vrm.newAddr;
  }
  if (!err && (vrm.flags & MREMAP_DONTUNMAP)) dontunmapComplete(vrm, newVma);
  else unmapSourceVma(vrm);
  return err ? err : vrm.newAddr;
}

/**
 * mm/mremap.c: mremap_to(): FIXED unmaps the destination first, a shrink
 * happens before the move, DONTUNMAP checks the address-space limit.
 */
function mremapTo(vrm: Vrm): number {
  const mm = vrm.mm;
  if (vrm.flags & MREMAP_FIXED) {
    const err = doMunmap(mm, vrm.newAddr, vrm.newAddr + vrm.newLen);
    vrm.vma = null;
    if (err) return err;
    // The destination may have been part of the source's VMA.
    vrm.vma = mm.vmas.lookup(vrm.addr);
    if (vrm.vma === null) return -EFAULT;
  }
  if (vrm.type === "shrink") {
    const err = shrinkVma(vrm, false);
    if (err) return err;
    vrm.oldLen = vrm.newLen;
  }
  if ((vrm.flags & MREMAP_DONTUNMAP) && !mayExpandVm(mm, vrm.vma!.flags, vrm.oldLen / PAGE)) {
    return -ENOMEM;
  }
  const err = setNewAddr(vrm);
  if (err) return err;
  return moveVma(vrm);
}

/**
 * mm/mremap.c: vrm_can_expand_in_place() / vma_expandable(): the range
 * ends at vm_end and [vm_end, vm_end + delta) is free and below TASK_SIZE.
 */
function canExpandInPlace(vrm: Vrm): boolean {
  const vma = vrm.vma!;
  if (vma.end - vrm.addr !== vrm.oldLen) return false;
  const end = vma.end + vrm.delta;
  if (vma.next !== null && vma.next.start < end) return false;
  const r = getUnmappedArea(vrm.mm, {
    addr: vma.start,
    len: end - vma.start,
    pgoff: 0,
    flags: MAP_FIXED,
    file: null,
  });
  return r >= 0;
}

/**
 * mm/mremap.c: expand_vma_in_place() -> mm/vma.c vma_merge_extend(): the
 * new tail merges into the VMA — and into the next VMA too when that one
 * is now adjacent and compatible (vma_merge_new_range() without
 * just_expand). VM_IO/VM_MIXEDMAP VMAs never merge: ENOMEM.
 */
function expandVmaInPlace(vrm: Vrm): number {
  const mm = vrm.mm;
  const vma = vrm.vma!;
  if ((vma.flags & VM_ACCOUNT) && !vmEnoughMemory(mm, vrm.delta / PAGE)) return -ENOMEM;
  const merged = mergeNewRange(mm, vma, vma.next, vma.end, vma.end + vrm.delta, {
    flags: vma.flags,
    file: vma.file,
    pgoff: vma.pgoff + vma.pages,
    anonVma: vma.anonVma,
    uffd: vma.uffd,
    anonName: vma.anonName,
  });
  if (merged === null) return -ENOMEM;
  vrm.vma = merged;
  return 0;
}

/** mm/mremap.c: expand_vma(): in place if possible, else move (MAYMOVE). */
function expandVma(vrm: Vrm): number {
  const tr = vrm.mm.machine.trace;
  if (canExpandInPlace(vrm)) {
    tr?.step(
      "mremap_at → expand_vma → expand_vma_in_place",
      "the range above is free: grown in place",
    );
    const err = expandVmaInPlace(vrm);
    return err ? err : vrm.addr;
  }
  if (!(vrm.flags & MREMAP_MAYMOVE)) {
    tr?.step("mremap_at → expand_vma", "cannot grow in place and no MREMAP_MAYMOVE: -ENOMEM");
    return -ENOMEM;
  }
  tr?.step("mremap_at → expand_vma → move_vma", "cannot grow in place: MREMAP_MAYMOVE moves it");
  const err = setNewAddr(vrm);
  if (err) return err;
  return moveVma(vrm);
}

/** mm/mremap.c: mremap_at(): resize where it is, moving only if it must. */
function mremapAt(vrm: Vrm): number {
  switch (vrm.type) {
    case "noresize":
      return vrm.addr;
    case "shrink": {
      vrm.mm.machine.trace?.step("mremap_at → shrink_vma", "the tail beyond new_len is unmapped");
      const err = shrinkVma(vrm, true);
      return err ? err : vrm.addr;
    }
    case "expand":
      return expandVma(vrm);
  }
}

/**
 * mm/mremap.c: vma_multi_allowed(): no userfaultfd, no file with a custom
 * get_unmapped_area (every file here is shmem or uses the generic/THP one).
 */
function multiAllowed(vma: Vma): boolean {
  return !any(vma.flags, VM_UFFD_MISSING | VM_UFFD_WP) && !has(vma.flags, VM_UFFD_MINOR);
}

/**
 * mm/mremap.c: remap_move() (6.17+): MREMAP_FIXED with old_len == new_len
 * moves every VMA piece of [addr, addr + old_len), keeping the gaps
 * between them. The range must start inside a VMA; only each piece's own
 * destination is unmapped first, so a mapping in a destination gap
 * survives. Failures leave a partial move, as in the kernel.
 *
 * The walk is for_each_vma_range() over a maple-tree iterator that
 * remembers the range of the VMA it last returned: it ends once that
 * range reaches the end, and otherwise goes on with the first VMA starting
 * at or past that range's end. So a VMA the move grew over the range (the
 * destination merged into the source, which MREMAP_DONTUNMAP keeps, or
 * into a neighbour it touches) is not met again (checked on 6.18.44:
 * `mremap(a + 4K, 4K, 4K, MAYMOVE|DONTUNMAP|FIXED, end of a's VMA)`
 * returns the new address, and moving a range onto the hole between two
 * compatible VMAs merges all three and returns).
 */
function remapMove(vrm: Vrm): number {
  const mm = vrm.mm;
  const start = vrm.addr, end = vrm.addr + vrm.oldLen;
  const newAddr = vrm.newAddr;
  let target = newAddr;
  let res = -EFAULT;
  let seen = false;
  let lastEnd = 0;
  let vma = start < TASK_SIZE ? mm.vmas.find(start) : null;
  while (vma !== null && vma.start < end) {
    const addr = Math.max(vma.start, start);
    const len = Math.min(end, vma.end) - addr;
    // No gap permitted at the start of the range.
    if (!seen && start < vma.start) return -EFAULT;
    const offset = seen ? vma.start - lastEnd : 0;
    // The iterator's range ends here (mas->last + 1).
    const itEnd = vma.end;
    lastEnd = vma.end;
    vrm.vma = vma;
    vrm.addr = addr;
    vrm.newAddr = target + offset;
    vrm.oldLen = vrm.newLen = len;
    if (!multiAllowed(vma)) {
      if (seen) return -EFAULT;
      if (vma.end < end) return -EFAULT;
    }
    let r = checkPrepVma(vrm);
    if (!r) r = mremapTo(vrm);
    if (r < 0) return r;
    if (!seen) res = r;
    seen = true;
    target = r + len;
    // mas_find(): nothing more once the last range reaches the end.
    vma = itEnd >= end ? null : mm.vmas.find(itEnd);
    if (vma !== null && vma.start < itEnd) vma = vma.next;
  }
  return res;
}

/**
 * Policy `mremap.multiVma`: MREMAP_FIXED with old_len == new_len moves every
 * VMA and hole in the range (remap_move(), 6.17+), or needs one VMA
 * (-EFAULT otherwise, as before).
 */
const FIXED_SAME_SIZE_MOVES_RANGE: Record<KnobValue<"mremap.multiVma">, boolean> = {
  efault: false,
  allow: true,
};

/**
 * mremap(old_address, old_size, new_size, flags, new_address). Returns the
 * (new) address or -errno. Arguments are u64 registers; `newAddr` is 0
 * when omitted.
 */
export function sysMremap(
  p: Process,
  oldAddr: bigint | number,
  oldLen: bigint | number,
  newLen: bigint | number,
  flags: bigint | number,
  newAddr?: bigint | number,
): number {
  const mm = p.mm;
  const addrB = u64(oldAddr), flagsB = u64(flags);
  const newAddrB = newAddr === undefined ? 0n : u64(newAddr);
  // do_mremap(): both lengths are page aligned first (wrapping to 0).
  const oldLenB = pageAlignU64(u64(oldLen)), newLenB = pageAlignU64(u64(newLen));
  const err = checkMremapParams(mm, addrB, oldLenB, newLenB, flagsB, newAddrB);
  if (err) return err;
  // Past the checks every value but old_len is exact as a number; an
  // address at or above TASK_SIZE simply finds no VMA.
  const vrm: Vrm = {
    p,
    mm,
    addr: addrB < BIG_TASK_SIZE ? Number(addrB) : TASK_SIZE,
    oldLen: Number(oldLenB),
    newLen: Number(newLenB),
    flags: Number(flagsB),
    newAddr: Number(newAddrB),
    vma: null,
    delta: 0,
    type: "noresize",
    populateExpand: false,
  };
  let res: number;
  if (
    (vrm.flags & MREMAP_FIXED) && oldLenB === newLenB &&
    FIXED_SAME_SIZE_MOVES_RANGE[mm.machine.policy("mremap.multiVma")]
  ) {
    res = remapMove(vrm);
  } else {
    vrm.vma = vrm.addr < TASK_SIZE ? mm.vmas.lookup(vrm.addr) : null;
    res = checkPrepVma(vrm);
    if (!res) res = impliesNewAddr(vrm) ? mremapTo(vrm) : mremapAt(vrm);
  }
  // mlock()'d and expanded: populate the new part (mm_populate, errors ignored).
  if (res >= 0 && vrm.populateExpand) {
    const from = vrm.newAddr + vrm.oldLen;
    const v = mm.vmas.lookup(from);
    if (v !== null && !(v.flags & VM_LOCKONFAULT)) populateRange(p, from, from + vrm.delta);
  }
  return res;
}
