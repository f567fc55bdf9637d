/**
 * mincore(2): mm/mincore.c of Linux 6.18. One byte per page of
 * [addr, addr+len): 1 when the page is resident.
 *
 * - A present PTE counts, whatever it maps: the shared zero page after an
 *   anonymous read fault, and a PROT_NONE page, are resident (1).
 * - A none PTE (or a PTE marker: guard regions) asks the page cache when
 *   the VMA has a file — a cached page counts even if this mapping never
 *   touched it, unless it is not uptodate — and is 0 for anonymous memory.
 * - VMAs without a file that are not anonymous (special mappings such as
 *   [vvar], [vdso]) report every page resident.
 *
 * The vector is produced VMA by VMA and copied out as it goes, so a hole
 * returns ENOMEM with the bytes for the VMAs before it already written.
 * @module
 */

import { EFAULT, EINVAL, ENOMEM } from "../abi/errno.ts";
import { TASK_SIZE, u64 } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
import type { OpenFile } from "../fs/file.ts";
import type { Vma } from "./vma.ts";
import { PTE_MARKER, PTE_PRESENT } from "./pagetable.ts";
import { copyToUser } from "./uaccess.ts";
import { pageUptodate } from "./filemap.ts";

/**
 * arch/x86/include/asm/uaccess_64.h: __access_ok() for a run-time size:
 * `ptr + size` must not wrap and must stay at or below USER_PTR_MAX, which
 * is TASK_SIZE_MAX (checked on 6.18.44: a vector ending exactly at
 * 0x7ffffffff000 is accepted, one byte more is EFAULT).
 */
export function accessOk(ptr: bigint, size: bigint): boolean {
  const sum = ptr + size;
  return sum <= BigInt(TASK_SIZE);
}

/**
 * can_do_mincore() / can_do_file_pageout(): page-cache state is revealed
 * only for files the caller owns or could open for writing. Root
 * (CAP_FOWNER/CAP_DAC_OVERRIDE) always can. mmlab has no file owners, so a
 * non-root caller qualifies when the file is open for writing or
 * world-writable.
 */
export function canRevealPagecache(p: Process, file: OpenFile): boolean {
  if (p.machine.config.root) return true;
  return file.writable || (file.inode.mode & 0o002) !== 0;
}

/** Fills `out[0..n)` for pages starting at `addr` of `vma` (mincore_pte_range). */
function vmaResidency(p: Process, vma: Vma, addr: number, out: Uint8Array): void {
  const mm = p.mm;
  const n = out.length;
  if (!vma.isAnonymous && (vma.file === null || !canRevealPagecache(p, vma.file))) {
    out.fill(1);
    return;
  }
  for (let i = 0; i < n; i++) {
    const a = addr + i * 4096;
    const b = mm.pt.bitsAt(a / 4096);
    if (b & PTE_PRESENT) {
      out[i] = 1;
    } else if (b === 0 || (b & PTE_MARKER)) {
      // pte_none_mostly(): __mincore_unmapped_range() -> mincore_page():
      // a cached page counts if it is uptodate.
      out[i] = vma.file !== null && pageUptodate(p.machine, vma.file.inode, vma.pageIndex(a))
        ? 1
        : 0;
    } else {
      out[i] = 0; // a swap entry: nothing is ever swapped here
    }
  }
}

/**
 * mincore(addr, len, vec). With `vec` (a user address) the vector is copied
 * there (EFAULT when that fails); the vector is also returned as `data`
 * (up to the point reached), for the REPL to print when `vec` is omitted.
 */
export function sysMincore(
  p: Process,
  addrArg: bigint | number,
  lenArg: bigint | number,
  vecArg?: bigint | number | null,
): SysOut {
  const start = u64(addrArg), len = u64(lenArg);
  const vec = vecArg === undefined || vecArg === null ? null : u64(vecArg);
  // The start address must be page aligned...
  if ((start & 0xfffn) !== 0n) return { ret: -EINVAL };
  // ...and the range a valid user range.
  if (!accessOk(start, len)) return { ret: -ENOMEM };
  // pages = DIV_ROUND_UP(len, PAGE_SIZE), without overflow
  const pages = Number((len >> 12n) + ((len & 0xfffn) !== 0n ? 1n : 0n));
  if (vec !== null && !accessOk(vec, BigInt(pages))) return { ret: -EFAULT };
  const mm = p.mm;
  const chunks: Uint8Array[] = [];
  let addr = Number(start);
  let left = pages;
  let done = 0;
  let ret = 0;
  while (left > 0) {
    // do_mincore(): at most one VMA and PAGE_SIZE entries per round.
    const vma = mm.vmas.lookup(addr);
    if (vma === null) {
      ret = -ENOMEM;
      break;
    }
    const n = Math.min(left, 4096, (vma.end - addr) / 4096);
    const chunk = new Uint8Array(n);
    vmaResidency(p, vma, addr, chunk);
    if (vec !== null && copyToUser(p, Number(vec) + done, chunk) !== 0) {
      ret = -EFAULT;
      break;
    }
    chunks.push(chunk);
    done += n;
    left -= n;
    addr += n * 4096;
  }
  const data = new Uint8Array(done);
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.length;
  }
  return { ret, data };
}
