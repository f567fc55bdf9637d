/**
 * remap_anon_pages(2): the 2014 RFC's syscall ([PATCH 10/17] "mm:
 * sys_remap_anon_pages", never merged; seed 004). A MADV_USERFAULT
 * program's SIGBUS handler fills a staging buffer and moves its pages into
 * the faulting range without copying them; the access then retries and
 * succeeds. Linux 6.8 brought it back as ioctl UFFDIO_MOVE
 * (lib/fs/userfaultfd.ts). Which one exists is policy `uffd.remap`.
 *
 * Checks, in the RFC's order:
 * 1. `flags` other than RAP_ALLOW_SRC_HOLES, an unaligned `dst`, `src` or
 *    `len`, or a range that wraps: EINVAL.
 * 2. Each range must lie inside one VMA of private anonymous memory (no
 *    vm_ops, not VM_SHARED), and the two VMAs must have the same
 *    protection: EINVAL.
 * 3. Page by page, ascending: a mapped dst page is EEXIST; a src hole is
 *    ENOENT (skipped with RAP_ALLOW_SRC_HOLES); a src page mapped elsewhere
 *    too (fork, KSM) is EBUSY. The result is the bytes moved, or the
 *    -errno of the first page when none moved.
 *
 * The seed gives no x86-64 number for it; mmlab uses 335, which no 6.18
 * x86-64 syscall has (syscall_64.tbl goes from 334 rseq to 424), so a host
 * answers ENOSYS as mmlab does under today's policy.
 * @module
 */

import { EBUSY, EEXIST, EINVAL, ENOENT, ENOSYS } from "../abi/errno.ts";
import { u64 } from "../abi/layout.ts";
import { RAP_ALLOW_SRC_HOLES } from "../abi/mman.ts";
import type { KnobValue } from "../policy.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { any, VM_ACCESS_FLAGS, VM_SHARED, VM_SPECIAL } from "./vm_flags.ts";
import { moveAnonPte } from "./move_pte.ts";
import { PTE_MARKER, PTE_PRESENT } from "./pagetable.ts";
import { PG_ANON_EXCLUSIVE } from "../phys/frames.ts";

/** The syscall exists only under uffd.remap = remap_anon_pages-rfc. */
const HAS_REMAP_ANON_PAGES: Record<KnobValue<"uffd.remap">, boolean> = {
  "none": false,
  "remap_anon_pages-rfc": true,
  "UFFDIO_MOVE": false,
};

/** remap_anon_pages(dst, src, len, flags): bytes moved, or -errno. */
export function sysRemapAnonPages(
  p: Process,
  dstArg: bigint | number,
  srcArg: bigint | number,
  lenArg: bigint | number,
  flagsArg: bigint | number = 0,
): number {
  const mm = p.mm;
  if (!HAS_REMAP_ANON_PAGES[mm.machine.policy("uffd.remap")]) return -ENOSYS;
  const dst = u64(dstArg), src = u64(srcArg), len = u64(lenArg), flags = u64(flagsArg);
  // 1.
  if (flags & ~BigInt(RAP_ALLOW_SRC_HOLES)) return -EINVAL;
  if ((dst | src | len) & 0xfffn) return -EINVAL;
  const LIMIT = 1n << 47n;
  if (len === 0n || dst + len > LIMIT || src + len > LIMIT) return -EINVAL;
  const d = Number(dst), s = Number(src), n = Number(len);
  // 2.
  const dstVma = mm.vmas.lookup(d), srcVma = mm.vmas.lookup(s);
  if (dstVma === null || srcVma === null) return -EINVAL;
  if (d < dstVma.start || d + n > dstVma.end || s < srcVma.start || s + n > srcVma.end) {
    return -EINVAL;
  }
  if (!privateAnon(dstVma) || !privateAnon(srcVma)) return -EINVAL;
  if ((dstVma.flags & VM_ACCESS_FLAGS) !== (srcVma.flags & VM_ACCESS_FLAGS)) return -EINVAL;
  // 3.
  const holes = (flags & BigInt(RAP_ALLOW_SRC_HOLES)) !== 0n;
  let moved = 0;
  for (let off = 0; off < n; off += 4096) {
    const r = remapAnonPte(mm, dstVma, d + off, s + off, holes);
    if (r < 0) return moved > 0 ? moved : r;
    moved += 4096;
  }
  return moved;
}

function privateAnon(vma: Vma): boolean {
  return vma.isAnonymous && !any(vma.flags, VM_SHARED | VM_SPECIAL);
}

/**
 * The RFC's remap_anon_pages_pte() for one page: 0 moved (or a skipped
 * hole), or -errno. The page keeps its frame: dst maps it young, dirty and
 * writable, src is cleared, the folio's anon_vma and index follow it.
 */
function remapAnonPte(mm: Mm, dstVma: Vma, dstAddr: number, srcAddr: number, holes: boolean) {
  const pt = mm.pt;
  const frames = mm.machine.frames;
  if (pt.bitsAt(dstAddr / 4096) !== 0) return -EEXIST;
  const bits = pt.bitsAt(srcAddr / 4096);
  if (bits === 0 || !(bits & PTE_PRESENT) || (bits & PTE_MARKER)) return holes ? 0 : -ENOENT;
  const pfn = pt.pfnAt(srcAddr / 4096);
  const zero = pfn === frames.zeroPfn;
  if (!zero && (!(frames.flags[pfn] & PG_ANON_EXCLUSIVE) || frames.mapcount[pfn] !== 1)) {
    return -EBUSY;
  }
  moveAnonPte(mm, dstVma, dstAddr, srcAddr, pfn);
  return 0;
}
