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
import { MAP_32BIT, MAP_FIXED, MAP_SHARED } from "../abi/mman.ts";
import type { OpenFile } from "../fs/file.ts";
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

/** What get_unmapped_area() is asked for (mm/mmap.c __get_unmapped_area's arguments). */
export interface GetAreaRequest {
  /** The hint (or the MAP_FIXED address). */
  addr: number;
  /** Length in bytes, page aligned. */
  len: number;
  /** The file offset in pages (colours shared mappings). */
  pgoff: number;
  /** MAP_* flags as do_mmap() has them (MAP_FIXED, MAP_SHARED, MAP_32BIT matter). */
  flags: number;
  /** The file mapped (for shared anonymous memory that mremap moves: its shmem file). */
  file: OpenFile | null;
  /** stack_guard_placement(): PAGE_SIZE for VM_SHADOW_STACK, else 0. */
  startGap?: number;
}

/**
 * mm/mmap.c: __get_unmapped_area(). The file's ->get_unmapped_area decides
 * if it has one (ext4: thp_get_unmapped_area; shmem: shmem_get_unmapped_area,
 * also for MAP_SHARED anonymous memory, which becomes a shmem file); a
 * large NULL-hint anonymous mapping is THP aligned; anything else takes
 * mm_get_unmapped_area(). Returns the address, or -ENOMEM / -EINVAL
 * (after the checks the kernel makes on the result).
 */
export function getUnmappedArea(mm: Mm, req: GetAreaRequest): number {
  const { addr, len, flags, file } = req;
  const startGap = req.startGap ?? 0;
  // Always treat pgoff as zero for anonymous memory.
  const r0 = file === null ? { ...req, pgoff: 0 } : req;
  let r: number;
  if (file !== null && file.fop.getUnmappedArea !== undefined) {
    r = file.fop.getUnmappedArea(mm, r0);
  } else if (file === null && (flags & MAP_SHARED)) {
    r = shmemGetUnmappedArea(mm, r0);
  } else if (file === null && !addr && len % PMD_SIZE === 0) {
    // "Ensures that larger anonymous mappings are THP aligned."
    r = thpGetUnmappedArea(mm, r0);
  } else {
    r = topdown(mm, addr, len, r0.pgoff, flags, startGap);
  }
  if (r < 0) return r;
  if (r > TASK_SIZE - len) return -ENOMEM;
  if (r % 4096 !== 0) return -EINVAL;
  return r;
}

/** mm/mmap.c mm_get_unmapped_area(): the arch's top-down search (MMF_TOPDOWN). */
export function mmGetUnmappedArea(mm: Mm, req: GetAreaRequest): number {
  return topdown(mm, req.addr, req.len, req.pgoff, req.flags, req.startGap ?? 0);
}

/**
 * mm/shmem.c shmem_get_unmapped_area(): mm_get_unmapped_area(), then a
 * PMD-aligned retry only when shmem may use huge pages. The machine's
 * shmem has transparent_hugepage/shmem_enabled "never" and tmpfs/shm_mnt
 * huge=never, so the plain address stands (the host harness skips shared
 * anonymous cases on hosts where shmem THP is on). Checked on 6.18: a 2 MiB
 * memfd or MAP_SHARED|MAP_ANONYMOUS mapping lands just below the last one.
 */
export function shmemGetUnmappedArea(mm: Mm, req: GetAreaRequest): number {
  if (req.len > TASK_SIZE) return -ENOMEM;
  return mmGetUnmappedArea(mm, req);
}

const I64 = (x: bigint) => BigInt.asIntN(64, x);

/**
 * mm/huge_memory.c: thp_get_unmapped_area() -> __thp_get_unmapped_area()
 * with size PMD_SIZE, falling back to mm_get_unmapped_area(). The file
 * offset (a signed loff_t) must cover a whole PMD-aligned 2 MiB; then a search for len + 2 MiB is
 * shifted so that the address and the offset agree modulo 2 MiB (top-down:
 * an already aligned area moves up one PMD). A hint that fits the padded
 * length is taken as it is (a hint free for len but not for len + 2 MiB is
 * not: the aligned area is searched for instead). Checked on 6.18 (ext4): a 2 MiB mapping at
 * offset 0 or 0x7fffffffffc00000 (where off + len_pad passes LLONG_MAX,
 * which the unsigned sum does not notice) is 2 MiB aligned, 2M + 4K at
 * offset 4K is aligned to the offset (0x...1ff000).
 */
export function thpGetUnmappedArea(mm: Mm, req: GetAreaRequest): number {
  const r = thpArea(mm, req);
  return r !== 0 ? r : mmGetUnmappedArea(mm, req);
}

/** __thp_get_unmapped_area(): the aligned address, or 0 to fall back. */
function thpArea(mm: Mm, req: GetAreaRequest): number {
  const size = BigInt(PMD_SIZE);
  const len = BigInt(req.len);
  const off = I64(BigInt(req.pgoff) << 12n);
  const offEnd = I64(off + len);
  const offAlign = I64(((off - 1n) | (size - 1n)) + 1n); // round_up()
  if (offEnd <= offAlign || I64(offEnd - offAlign) < size) return 0;
  const lenPad = len + size;
  // `off + len_pad` is an unsigned long sum: it wraps only past 2^64.
  if (BigInt.asUintN(64, off + lenPad) < BigInt.asUintN(64, off)) return 0;
  const ret = topdown(mm, req.addr, Number(lenPad), req.pgoff, req.flags, req.startGap ?? 0);
  // The failure might be due to the padding: the caller retries without.
  if (ret < 0) return 0;
  // No alignment when the hint was free.
  if (ret === req.addr) return ret;
  const offSub = Number(BigInt.asUintN(64, off - BigInt(ret)) & (size - 1n));
  // MMF_TOPDOWN: an already aligned area is shifted up by one PMD.
  if (offSub === 0) return ret + PMD_SIZE;
  return ret + offSub;
}
