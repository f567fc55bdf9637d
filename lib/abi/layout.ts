/**
 * x86-64 address-space constants (4 KiB pages, 4-level paging), as in
 * linux-mm.md §0.1. Every user address is below 2^47 and so exact in a JS
 * number; syscall arguments arrive as u64 `bigint`s and are converted once
 * validated.
 * @module
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 0x1000;
export const PAGE_MASK = ~(PAGE_SIZE - 1);
/** arch/x86/include/asm/page_64_types.h: TASK_SIZE_MAX = (1 << 47) - PAGE_SIZE. */
export const TASK_SIZE = 0x7ffffffff000;
export const PMD_SIZE = 0x200000;
/** mm/mmap.c: stack_guard_gap, 256 pages. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** include/linux/mm.h: DEFAULT_MAX_MAP_COUNT = USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN. */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** Top-down mmap_base without ASLR: TASK_SIZE - 128 MiB gap, linux-mm.md §2.4. */
export const MMAP_BASE = 0x7ffff7fff000;
/** arch/x86/include/asm/processor.h: TASK_UNMAPPED_BASE = PAGE_ALIGN(TASK_SIZE / 3). */
export const TASK_UNMAPPED_BASE = 0x2aaaaaaaa000;
/** include/linux/fs.h: MAX_LFS_FILESIZE on 64-bit (LLONG_MAX), as a u64. */
export const MAX_LFS_FILESIZE_U64 = 0x7fffffffffffffffn;

export const U64_MAX = 0xffffffffffffffffn;
/** 2^47: the end of the canonical user half. */
export const BIG_USER_END = 0x800000000000n;
export const BIG_TASK_SIZE = 0x7ffffffff000n;

/** Rounds a u64 up to a page; wraps to 0 like the kernel's PAGE_ALIGN. */
export function pageAlignU64(x: bigint): bigint {
  return (x + 0xfffn) & 0xfffffffffffff000n;
}

/** Interprets any integer as a u64 (a syscall argument register). */
export function u64(x: bigint | number): bigint {
  if (typeof x === "number") {
    // The common case (a plain non-negative integer) needs no wrapping.
    if (x >= 0 && x <= Number.MAX_SAFE_INTEGER && Number.isInteger(x)) return BigInt(x);
    return BigInt.asUintN(64, BigInt(Number.isFinite(x) ? Math.trunc(x) : 0));
  }
  return BigInt.asUintN(64, x);
}

/**
 * A u64 argument as a number when it is a plain integer in [0, 2^48], else
 * -1: below that bound sums of two such values stay exact, so callers can
 * run their checks in number arithmetic and keep the u64 path for the rest.
 */
export function smallU64(x: bigint | number): number {
  if (typeof x === "number") return x >= 0 && x <= 0x1000000000000 && x % 1 === 0 ? x : -1;
  return x >= 0n && x <= 0x1000000000000n ? Number(x) : -1;
}

/** Interprets any integer as an s32 (an `int` argument such as prot or fd). */
export function s32(x: bigint | number): number {
  // For a number, `| 0` is exactly ToInt32: truncate, then wrap modulo 2^32.
  return typeof x === "number" ? x | 0 : Number(BigInt.asIntN(32, x));
}
