/**
 * Choosing where a mapping goes: mm/mmap.c __get_unmapped_area(),
 * arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area_topdown(),
 * mm/vma.c unmapped_area_topdown()/unmapped_area(), and the THP alignment
 * of mm/huge_memory.c __thp_get_unmapped_area(). linux-mm.md §2.4.
 *
 * mmlab runs without ASLR: mmap_base is 0x7ffff7fff000, as under
 * `setarch -R`, so every placement is deterministic.
 * @module
 */

import { EINVAL, ENOMEM } from "../abi/errno.ts";
import { MAP_32BIT, MAP_FIXED } from "../abi/mman.ts";
import { PMD_SIZE, STACK_GUARD_GAP, TASK_SIZE, TASK_UNMAPPED_BASE } from "../abi/layout.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { VM_GROWSDOWN } from "./vm_flags.ts";

/**
 * security/min_addr.c update_mmap_min_addr(): the kernel's mmap_min_addr
 * is the larger of the sysctl vm.mmap_min_addr (dac_mmap_min_addr) and
 * CONFIG_LSM_MMAP_MIN_ADDR, 65536 on the reference build. It bounds hint
 * rounding (round_hint_to_min) and the free-area search; only the
 * CAP_SYS_RAWIO check (cap_mmap_addr) uses the sysctl alone. Checked on
 * 6.18.44 with vm.mmap_min_addr = 4096: a hint of 0x1000 or 0x8000 gives
 * 0x10000, while MAP_FIXED at 0x1000 works for root.
 */
export const LSM_MMAP_MIN_ADDR = 0x10000;

/** The effective mmap_min_addr (see {@link LSM_MMAP_MIN_ADDR}). */
export function mmapMinAddr(mm: Mm): number {
  return Math.max(mm.machine.sysctl.mmapMinAddr, LSM_MMAP_MIN_ADDR);
}

/** vm_start_gap(): a VM_GROWSDOWN VMA claims the stack guard gap below it. */
export function vmStartGap(v: Vma): number {
  if (v.flags & VM_GROWSDOWN) {
    const s = v.start - STACK_GUARD_GAP;
    return s > v.start ? 0 : Math.max(s, 0);
  }
  return v.start;
}

/** vm_end_gap(): no VM_GROWSUP on x86, so just vm_end. */
export function vmEndGap(v: Vma): number {
  return v.end;
}

interface UnmappedAreaInfo {
  length: number;
  lowLimit: number;
  highLimit: number;
  alignMask: number;
  alignOffset: number;
  startGap: number;
}

/** mm/vma.c: unmapped_area_topdown(). Returns an address or -ENOMEM. */
function unmappedAreaTopdown(mm: Mm, info: UnmappedAreaInfo): number {
  const length = info.length + info.alignMask + info.startGap;
  const lowLimit = Math.max(info.lowLimit, mmapMinAddr(mm));
  let highLimit = info.highLimit;
  for (;;) {
    const gapEnd = mm.vmas.highestGapEnd(lowLimit, highLimit, length);
    if (gapEnd < 0) return -ENOMEM;
    let gap = gapEnd - info.length;
    gap -= (gap - info.alignOffset) & info.alignMask;
    // The VMA just above the gap, and the one below it.
    const tmp = mm.vmas.find(gapEnd);
    if (tmp !== null && (tmp.flags & VM_GROWSDOWN)) {
      if (vmStartGap(tmp) < gapEnd) {
        highLimit = vmStartGap(tmp);
        continue;
      }
    } else {
      const prev = tmp === null ? mm.vmas.last : tmp.prev;
      if (prev !== null && vmEndGap(prev) > gap) {
        highLimit = prev.start;
        continue;
      }
    }
    return gap;
  }
}

/** mm/vma.c: unmapped_area() (bottom-up). Returns an address or -ENOMEM. */
function unmappedArea(mm: Mm, info: UnmappedAreaInfo): number {
  const length = info.length + info.alignMask + info.startGap;
  let lowLimit = Math.max(info.lowLimit, mmapMinAddr(mm));
  for (;;) {
    const gapStart = mm.vmas.lowestGapStart(lowLimit, info.highLimit, length);
    if (gapStart < 0) return -ENOMEM;
    let gap = gapStart + info.startGap;
    gap += (info.alignOffset - gap) & info.alignMask;
    const next = mm.vmas.find(gap);
    if (next !== null && (next.flags & VM_GROWSDOWN) && vmStartGap(next) < gap + info.length) {
      lowLimit = next.end;
      continue;
    }
    return gap;
  }
}

/**
 * x86 mmap_address_hint_valid(): the hint range must not straddle the
 * 47-bit window boundary and must fit below TASK_SIZE.
 */
function hintValid(addr: number, len: number): boolean {
  if (TASK_SIZE - len < addr) return false;
  return (addr > TASK_SIZE) === (addr + len > TASK_SIZE);
}

/** arch_get_unmapped_area_topdown() for a request of `len` bytes. */
function topdown(
  mm: Mm,
  addr: number,
  len: number,
  pgoff: number,
  flags: number,
  startGap: number,
): number {
  if (len > TASK_SIZE) return -ENOMEM;
  if (flags & MAP_FIXED) return addr;
  // "for MAP_32BIT mappings we force the legacy mmap base": bottom-up.
  if (flags & MAP_32BIT) return legacyArea32(mm, addr, len, pgoff);
  if (addr) {
    addr -= addr % 4096;
    if (hintValid(addr, len)) {
      // find_vma() returns the first VMA ending above addr, so the previous
      // one already ends at or below it (x86 has no VM_GROWSUP).
      const v = mm.vmas.find(addr);
      if (v === null || addr + len <= vmStartGap(v)) return addr;
    }
  }
  const info: UnmappedAreaInfo = {
    length: len,
    lowLimit: 4096,
    highLimit: mm.mmapBase,
    alignMask: 0,
    alignOffset: pgoff * 4096,
    startGap: startGap,
  };
  const r = unmappedAreaTopdown(mm, info);
  if (r >= 0) return r;
  // Fall back to the bottom-up allocator (arch_get_unmapped_area).
  return unmappedArea(mm, { ...info, lowLimit: TASK_UNMAPPED_BASE, highLimit: TASK_SIZE });
}

/**
 * arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area() for MAP_32BIT:
 * find_start_end() limits the search to [0x40000000, 0x80000000) (no
 * randomisation without ASLR); a free page-aligned hint there is used,
 * else the lowest fit (checked on 6.18.44: 4K then 8K land at 0x40000000,
 * 0x40001000, 0x40002000; 2 GiB is ENOMEM).
 */
function legacyArea32(mm: Mm, addr: number, len: number, pgoff: number): number {
  const begin = 0x40000000, end = 0x80000000;
  if (len > end) return -ENOMEM;
  if (addr) {
    addr = Math.ceil(addr / 4096) * 4096;
    const v = mm.vmas.find(addr);
    if (end - len >= addr && (v === null || addr + len <= vmStartGap(v))) return addr;
  }
  return unmappedArea(mm, {
    length: len,
    lowLimit: begin,
    highLimit: end,
    alignMask: 0,
    alignOffset: pgoff * 4096,
    startGap: 0,
  });
}

export interface GetAreaRequest {
  addr: number;
  len: number;
  pgoff: number;
  flags: number;
  /** Anonymous (no file, not shmem): eligible for THP alignment. */
  anonymous: boolean;
  /** stack_guard_placement(): PAGE_SIZE for VM_SHADOW_STACK, else 0. */
  startGap?: number;
}

/**
 * mm/mmap.c: __get_unmapped_area(). Returns the address, or -ENOMEM /
 * -EINVAL (after the checks the kernel makes on the result).
 */
export function getUnmappedArea(mm: Mm, req: GetAreaRequest): number {
  const { addr, len, flags } = req;
  const pgoff = req.anonymous ? 0 : req.pgoff;
  let r: number;
  if (req.anonymous && !addr && len % PMD_SIZE === 0 && !(flags & MAP_FIXED)) {
    r = thpGetUnmappedArea(mm, len, flags, req.startGap ?? 0);
    if (r <= 0) r = topdown(mm, addr, len, pgoff, flags, req.startGap ?? 0);
  } else {
    r = topdown(mm, addr, len, pgoff, flags, req.startGap ?? 0);
  }
  if (r < 0) return r;
  if (r > TASK_SIZE - len) return -ENOMEM;
  if (r % 4096 !== 0) return -EINVAL;
  return r;
}

/** mm/huge_memory.c: __thp_get_unmapped_area() with off = 0. 0 = fall back. */
function thpGetUnmappedArea(mm: Mm, len: number, flags: number, startGap: number): number {
  const size = PMD_SIZE;
  const lenPad = len + size;
  const ret = topdown(mm, 0, lenPad, 0, flags, startGap);
  if (ret < 0) return 0;
  const offSub = (0 - ret) & (size - 1);
  // MMF_TOPDOWN: an already aligned area is shifted up by one PMD.
  if (offSub === 0) return ret + size;
  return ret + offSub;
}
