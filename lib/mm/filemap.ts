/**
 * The vm_operations of page-cache file mappings and the mmap hook that
 * installs them: mm/filemap.c generic_file_vm_ops (filemap_fault,
 * filemap_map_pages, filemap_page_mkwrite) and generic_file_mmap_prepare.
 * fs/ext4/file.c ext4_file_vm_ops is the same with ext4_page_mkwrite.
 * @module
 */

import type { VmAreaDesc } from "../fs/file_operations.ts";
import { filemapFault, PAGE_BEYOND_EOF, PAGE_RETRY } from "../fs/pagecache.ts";
import { filemapMapPages } from "./fault.ts";
import {
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  type VmFault,
  type VmOperations,
} from "./vm_ops.ts";

/**
 * mm/filemap.c filemap_fault(): the page-cache page at vmf->pgoff, read
 * from disk on a miss (which ends in VM_FAULT_RETRY, FAULT_FLAG_TRIED on
 * the second pass); past EOF is SIGBUS.
 */
export function filemapFaultOp(vmf: VmFault): number {
  const page = filemapFault(vmf.vma.mm.machine, vmf.vma, vmf.pgoff, vmf.tried);
  if (page === PAGE_RETRY) return VM_FAULT_RETRY;
  if (page === PAGE_BEYOND_EOF) return VM_FAULT_SIGBUS;
  if (page < 0) return VM_FAULT_OOM;
  vmf.page = page;
  return 0;
}

/** ->page_mkwrite: the page is dirtied by the core (wp_page_shared / finish_fault). */
function filemapPageMkwrite(_vmf: VmFault): number {
  return 0;
}

/** mm/filemap.c: generic_file_vm_ops (ext4_file_vm_ops has the same hooks). */
export const GENERIC_FILE_VM_OPS: VmOperations = {
  fault: filemapFaultOp,
  mapPages: filemapMapPages,
  pageMkwrite: filemapPageMkwrite,
};

/** mm/filemap.c generic_file_mmap_prepare(): file_accessed(), vm_ops. */
export function genericFileMmapPrepare(desc: VmAreaDesc): number {
  desc.vmOps = GENERIC_FILE_VM_OPS;
  return 0;
}
