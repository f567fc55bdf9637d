/**
 * shmem/tmpfs mappings (mm/shmem.c): shmem_vm_ops (shmem_fault, with
 * filemap_map_pages for fault-around and no ->page_mkwrite: shared
 * mappings are writable at once, shmem pages have no writeback to track),
 * shmem_mmap_prepare and shmem_file_operations, which memfd and
 * MAP_SHARED|MAP_ANONYMOUS (shmem_zero_setup) files use.
 * @module
 */

import type { FileOperations, InodeOperations, VmAreaDesc } from "./file_operations.ts";
import { filemapGetPage, PAGE_BEYOND_EOF } from "./filemap.ts";
import { filemapMapPages } from "./fault.ts";
import { shmemGetUnmappedArea } from "./get_unmapped_area.ts";
import { genericFileLlseekSize, seekHoleData, vfsSetpos } from "./llseek.ts";
import { ENOMEM, ENXIO } from "../abi/errno.ts";
import { O_RDWR } from "../abi/mman.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import { vmEnoughMemory } from "./accounting.ts";
import { any, VM_NORESERVE } from "./vm_flags.ts";
import { SEEK_DATA, SEEK_HOLE } from "../abi/mman.ts";
import { MAX_LFS_FILESIZE_U64 } from "../abi/layout.ts";
import type { OpenFile } from "../fs/file.ts";
import type { Process } from "../proc/process.ts";
import { VM_FAULT_OOM, VM_FAULT_SIGBUS, type VmFault, type VmOperations } from "./vm_ops.ts";
import { has, VM_UFFD_MINOR, VM_UFFD_MISSING } from "./vm_flags.ts";

/**
 * Which handle_userfault() shmem_get_folio_gfp() calls for page `pgoff` of
 * `vma`: VM_UFFD_MISSING for a page-cache miss inside i_size, VM_UFFD_MINOR
 * for a hit, or none. Shared with lib/trace/explain.ts.
 */
export function shmemUserfaultMode(vma: Vma, pgoff: number): "missing" | "minor" | null {
  const inode = vma.file!.inode;
  if (vma.mm.userfaults.size === 0 || pgoff >= inode.sizePages) return null;
  const cached = inode.pages.has(pgoff);
  if (!cached && (vma.flags & VM_UFFD_MISSING)) return "missing";
  if (cached && has(vma.flags, VM_UFFD_MINOR)) return "minor";
  return null;
}

/** mm/shmem.c shmem_fault(): the page at vmf->pgoff, allocated on a miss. */
function shmemFault(vmf: VmFault): number {
  const file = vmf.vma.file!;
  const mm = vmf.vma.mm;
  // shmem_get_folio_gfp(): a page-cache miss inside i_size in a
  // VM_UFFD_MISSING VMA goes to handle_userfault(); a page the cache has,
  // in a VM_UFFD_MINOR VMA, to handle_userfault(VM_UFFD_MINOR).
  const mode = shmemUserfaultMode(vmf.vma, vmf.pgoff);
  if (mode !== null) {
    const r = mode === "missing"
      ? mm.userfaults.missing(vmf.vma, vmf.address, vmf.write, vmf.realAddress)
      : mm.userfaults.minor(vmf.vma, vmf.address, vmf.write, vmf.realAddress);
    if (r >= 0) {
      vmf.userfault = true;
      return r;
    }
  }
  const page = filemapGetPage(vmf.vma.mm.machine, file.inode, vmf.pgoff);
  if (page === PAGE_BEYOND_EOF) return VM_FAULT_SIGBUS;
  if (page < 0) return VM_FAULT_OOM;
  vmf.page = page;
  return 0;
}

/** mm/shmem.c: shmem_vm_ops (and shmem_anon_vm_ops, the same hooks here). */
export const SHMEM_VM_OPS: VmOperations = {
  fault: shmemFault,
  mapPages: filemapMapPages,
};

/**
 * mm/shmem.c shmem_zero_setup() -> shmem_kernel_file_setup("dev/zero"):
 * the shmem object behind shared anonymous memory (and a shared mapping of
 * /dev/zero), `len` bytes, open read-write and held by the VMA only.
 * shmem_acct_size(): unless VM_NORESERVE, the whole object is charged to
 * overcommit now (security_vm_enough_memory_mm()); failing, the mapping is
 * ENOMEM and what MAP_FIXED unmapped stays unmapped
 * (vms_abort_munmap_vmas()). Checked on 6.18: 1 TiB of
 * MAP_SHARED|MAP_ANONYMOUS is ENOMEM under heuristic overcommit, with
 * MAP_NORESERVE it maps. Returns the file or -ENOMEM.
 */
export function shmemZeroSetup(mm: Mm, len: number, vmFlags: number): OpenFile | number {
  const acct = any(vmFlags, VM_NORESERVE) ? 0 : len / 4096;
  if (acct > 0 && !vmEnoughMemory(mm, acct)) return -ENOMEM;
  const inode = mm.machine.fs.createShmem("/dev/zero", len);
  inode.shmemAcctPages = acct;
  const file = mm.machine.openInode(inode, O_RDWR);
  file.refs = 0;
  return file;
}

/** mm/shmem.c shmem_mmap_prepare(). */
export function shmemMmapPrepare(desc: VmAreaDesc): number {
  desc.vmOps = SHMEM_VM_OPS;
  return 0;
}

/**
 * mm/shmem.c shmem_file_llseek(): SEEK_SET/CUR/END by
 * generic_file_llseek_size() up to MAX_LFS_FILESIZE; SEEK_DATA/SEEK_HOLE by
 * mapping_seek_hole_data() over the pages present (a hole never allocated
 * is a hole); a negative offset is ENXIO.
 */
function shmemFileLlseek(_p: Process, file: OpenFile, offset: bigint, whence: number): bigint {
  const inode = file.inode;
  const size = BigInt(inode.size);
  if (whence !== SEEK_DATA && whence !== SEEK_HOLE) {
    return genericFileLlseekSize(file, offset, whence, MAX_LFS_FILESIZE_U64, size);
  }
  if (offset < 0n) return -BigInt(ENXIO);
  const r = seekHoleData(offset, size, whence, inode.pages.keys());
  return r < 0n ? r : vfsSetpos(file, r, MAX_LFS_FILESIZE_U64);
}

/** mm/shmem.c: shmem_file_operations (no FOP_MMAP_SYNC: MAP_SYNC is EOPNOTSUPP). */
export const SHMEM_FILE_OPS: FileOperations = {
  name: "shmem_file_operations",
  fopFlags: 0,
  getUnmappedArea: shmemGetUnmappedArea,
  llseek: shmemFileLlseek,
  mmapPrepare: shmemMmapPrepare,
};

/** mm/shmem.c shmem_inode_operations: fileattr_get (shmem_fileattr_get); a memfd reads 0. */
export const SHMEM_INODE_OPS: InodeOperations = { fileattrGet: (inode) => inode.iflags };
