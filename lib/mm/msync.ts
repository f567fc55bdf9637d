/**
 * msync(2): mm/msync.c of Linux 6.18.
 *
 * Check order: unknown flag bits, unaligned start, MS_ASYNC together with
 * MS_SYNC (EINVAL each); PAGE_ALIGN(len) wrapping to 0 means an empty range
 * (0), `start + len` overflowing is ENOMEM. The walk then goes VMA by VMA:
 * a hole is ENOMEM — at once when the flags are exactly MS_ASYNC, at the end
 * otherwise; MS_INVALIDATE on an mlocked VMA is EBUSY at once. Only MS_SYNC
 * on a shared file mapping does work: vfs_fsync_range() of the file range
 * the VMA piece maps. MS_ASYNC is a no-op since 2.6.19.
 * @module
 */

import { EBUSY, EINVAL, ENOMEM } from "../abi/errno.ts";
import { MS_ASYNC, MS_INVALIDATE, MS_SYNC } from "../abi/mman.ts";
import { pageAlignU64, s32, u64, U64_MAX } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { Machine } from "../machine.ts";
import type { Inode } from "../fs/inode.ts";
import { VM_LOCKED, VM_SHARED } from "./vm_flags.ts";
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE } from "./pagetable.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import { writebackPage } from "./filemap.ts";

/** An end address past every user mapping, standing for any u64 end above it. */
const FAR_END = 2 ** 48;

/**
 * vfs_fsync_range(file, first byte, last byte) for mmlab's filesystems:
 * shmem's fsync does nothing; a regular file writes back its dirty pages
 * in the range — folio_clear_dirty_for_io() -> page_mkclean() write-protects
 * and cleans every PTE mapping them (the next write faults and dirties the
 * page again), then the page goes to disk and PG_dirty is cleared
 * ({@link writebackPage}). The data does not change, except that a page
 * straddling EOF has its tail past i_size zeroed in the page cache
 * (ext4_bio_write_folio(): "writes to that region are not written out to
 * the file"), so what a mapping wrote there is gone.
 */
export function fsyncRange(m: Machine, inode: Inode, first: number, last: number): void {
  if (inode.kind !== "regular") return;
  const frames = m.frames;
  const lo = Math.floor(first / 4096), hi = Math.floor(last / 4096);
  for (const [index, pfn] of inode.pages) {
    if (index < lo || index > hi || !(frames.flags[pfn] & PG_DIRTY)) continue;
    for (const v of inode.mappings) {
      if (index < v.pgoff || index >= v.pgoff + v.pages) continue;
      const addr = v.start + (index - v.pgoff) * 4096;
      const vpn = addr / 4096;
      const b = v.mm.pt.bitsAt(vpn);
      if (!(b & PTE_PRESENT) || v.mm.pt.pfnAt(vpn) !== pfn) continue;
      if (!(b & (PTE_WRITE | PTE_DIRTY))) continue;
      const range = v.mm.invalidateStart(addr, addr + 4096, "PROTECTION_PAGE");
      v.mm.pt.set(vpn, pfn, b & ~(PTE_WRITE | PTE_DIRTY));
      v.mm.invalidateEnd(range);
    }
    writebackPage(m, inode, index, pfn);
  }
}

/** msync(start, len, flags): 0 or -errno. */
export function sysMsync(
  p: Process,
  startArg: bigint | number,
  lenArg: bigint | number,
  flagsArg: bigint | number,
): number {
  const start = u64(startArg);
  const flags = s32(flagsArg);
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if ((start & 0xfffn) !== 0n) return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -EINVAL;
  // len = PAGE_ALIGN(len): a huge len wraps to 0, an empty range.
  const len = pageAlignU64(u64(lenArg));
  if (start + len > U64_MAX) return -ENOMEM;
  if (len === 0n) return 0;
  const mm = p.mm;
  let s = start >= BigInt(FAR_END) ? FAR_END : Number(start);
  const end = start + len >= BigInt(FAR_END) ? FAR_END : Number(start + len);
  let unmappedError = 0;
  let vma = mm.vmas.find(s);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (s < vma.start) {
      // "if the flag is MS_ASYNC (w/o MS_INVALIDATE) the result would be
      // -ENOMEM anyway and there is nothing left to do"
      if (flags === MS_ASYNC) return -ENOMEM;
      s = vma.start;
      if (s >= end) return -ENOMEM;
      unmappedError = -ENOMEM;
    }
    if ((flags & MS_INVALIDATE) && (vma.flags & VM_LOCKED)) return -EBUSY;
    const file = vma.file;
    const fstart = s - vma.start + vma.pgoff * 4096;
    const fend = fstart + (Math.min(end, vma.end) - s) - 1;
    s = vma.end;
    if ((flags & MS_SYNC) && file !== null && (vma.flags & VM_SHARED)) {
      fsyncRange(p.machine, file.inode, fstart, fend);
      if (s >= end) return unmappedError;
      vma = mm.vmas.find(s);
    } else {
      if (s >= end) return unmappedError;
      vma = vma.next;
    }
  }
}
