/**
 * What writing a core dump does to memory: fs/coredump.c do_coredump() ->
 * fs/binfmt_elf.c elf_core_dump(), whose dump_vma_snapshot() sizes each
 * VMA (vma_dump_size(), with the default coredump_filter 0x33: anonymous
 * private and shared, ELF headers) and whose dump_user_range() reads every
 * page of that size with get_dump_page() (FOLL_FORCE | FOLL_DUMP).
 *
 * The dump file itself is not modelled (mmlab's `(core dumped)` is printed
 * for every SIGSEGV/SIGBUS death); what is modelled is the reads' side
 * effect that outlives the dying process: a page that is not mapped is
 * faulted in, so a shared anonymous or memfd mapping (shmem: a read fault
 * allocates) or a deleted file gets its page cache filled, and a private
 * file mapping has its pages read. Another process mapping them then sees
 * them cached (mincore) and maps them by fault-around. Anonymous memory is
 * never faulted (no_page_table() returns a hole for it), so only VMAs with
 * a file matter.
 *
 * Checked on 6.18.44 (RLIMIT_CORE unlimited, core_pattern a file).
 * @module
 */

import type { Process } from "./process.ts";
import type { Vma } from "../mm/vma.ts";
import { RLIMIT_CORE } from "../abi/resource.ts";
import { getRlimit } from "./resource.ts";
import { handleMmFault } from "../mm/fault.ts";
import {
  any,
  has,
  VM_DONTDUMP,
  VM_IO,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
} from "../mm/vm_flags.ts";

const PAGE = 4096;

/**
 * fs/binfmt_elf.c vma_dump_size() for a VMA with a file, default filter
 * (MMF_DUMP_FILTER_DEFAULT: ANON_PRIVATE, ANON_SHARED, ELF_HEADERS,
 * HUGETLB_PRIVATE), in bytes from vm_start. Checks in the kernel's order.
 */
function fileVmaDumpSize(v: Vma): number {
  if (has(v.flags, VM_DONTDUMP)) return 0;
  // DAX: neither DAX_PRIVATE nor DAX_SHARED is in the default filter.
  if (v.file!.inode.dax) return 0;
  if (v.flags & VM_IO) return 0;
  // Shared memory is dumped when its file has no name left (i_nlink == 0:
  // shmem behind MAP_SHARED|MAP_ANONYMOUS, a memfd, a deleted file).
  if (v.flags & VM_SHARED) return v.file!.inode.nlink === 0 ? v.end - v.start : 0;
  // Private memory that was written to (has an anon_vma) is dumped whole.
  if (v.anonVma !== null) return v.end - v.start;
  // MAPPED_PRIVATE is not in the filter; ELF_HEADERS is: the first page of
  // a readable mapping at offset 0 (an executable's, or one read to check
  // for the ELF magic: copy_from_user faults it in either way).
  if (v.pgoff === 0 && (v.flags & VM_READ)) return PAGE;
  return 0;
}

/**
 * Whether the dump is written: do_coredump() gives up below the binfmt's
 * min_coredump (PAGE_SIZE for ELF) of RLIMIT_CORE, with a file
 * core_pattern.
 */
export function coreDumpWritten(p: Process): boolean {
  return getRlimit(p, RLIMIT_CORE)[0] >= BigInt(PAGE);
}

/**
 * The page reads of a core dump of `p` (its mm still whole, its other
 * threads stopped). Per page, get_dump_page(): a present page is read as
 * it is; a none PTE in a VMA with ->fault is faulted in for reading
 * (FOLL_FORCE: a PROT_NONE VMA too); a fault that fails leaves a hole.
 * check_vma_flags() refuses VM_IO/VM_PFNMAP, and a userfaultfd-registered
 * VMA answers a dumping task's fault with SIGBUS (handle_userfault():
 * PF_DUMPCORE), so nothing is faulted there.
 */
export function coreDumpReads(p: Process): void {
  if (!coreDumpWritten(p)) return;
  const mm = p.mm;
  for (let v = mm.vmas.first; v !== null; v = v.next) {
    if (v.file === null || v.ops?.fault === undefined) continue;
    if (any(v.flags, VM_IO | VM_PFNMAP | VM_UFFD_MISSING) || has(v.flags, VM_UFFD_MINOR)) continue;
    const end = v.start + fileVmaDumpSize(v);
    for (let a = v.start; a < end; a += PAGE) {
      if (mm.pt.bitsAt(a / PAGE) === 0) handleMmFault(mm, v, a, a, false);
    }
  }
}
