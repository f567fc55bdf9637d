/**
 * drivers/char/mem.c: the memory character devices /dev/null (1:3) and
 * /dev/zero (1:5) on devtmpfs, reached by chrdev_open() from their device
 * numbers.
 *
 * /dev/null reads EOF and takes any write; /dev/zero reads zeros and takes
 * any write; both seek to 0 whatever is asked (null_lseek). Only /dev/zero
 * maps: mmap_zero() makes a shared mapping a shmem object
 * (shmem_zero_setup(), so maps shows `/dev/zero (deleted)` on 00:01) and a
 * private one anonymous memory that keeps /dev/zero as its file
 * (vma_set_anonymous(): no vm_ops); get_unmapped_area_zero() places shared
 * mappings as shmem does and private ones as thp_get_unmapped_area().
 * @module
 */

import { MAP_SHARED } from "../abi/mman.ts";
import { shmemGetUnmappedArea, thpGetUnmappedArea } from "../mm/get_unmapped_area.ts";
import type { FileOperations } from "../mm/file_operations.ts";
import { SHMEM_VM_OPS, shmemZeroSetup } from "../mm/shmem.ts";
import { VM_SHARED } from "../mm/vm_flags.ts";
import type { Vma } from "../mm/vma.ts";
import type { OpenFile } from "./file.ts";

/** null_lseek() (also zero_lseek): f_pos = 0, returns 0. */
function nullLseek(_p: unknown, file: OpenFile): bigint {
  file.pos = 0n;
  return 0n;
}

/** mmap_zero(): shared -> shmem_zero_setup(), private -> vma_set_anonymous(). */
function mmapZero(_file: OpenFile, vma: Vma): number {
  if (vma.flags & VM_SHARED) {
    const shm = shmemZeroSetup(vma.mm, vma.end - vma.start, vma.flags);
    if (typeof shm === "number") return shm;
    vma.file = shm; // the VMA is not linked yet: no reference to drop
    vma.ops = SHMEM_VM_OPS; // shmem_anon_vm_ops
    return 0;
  }
  vma.ops = null;
  return 0;
}

/** drivers/char/mem.c: null_fops. */
export const NULL_FOPS: FileOperations = {
  name: "null_fops",
  fopFlags: 0,
  read: () => new Uint8Array(0), // read_null
  write: (_p, _f, _data, count) => count, // write_null
  llseek: nullLseek,
};

/** drivers/char/mem.c: zero_fops. */
export const ZERO_FOPS: FileOperations = {
  name: "zero_fops",
  fopFlags: 0,
  read: (_p, _f, count) => new Uint8Array(count), // read_zero
  write: (_p, _f, _data, count) => count, // write_zero
  llseek: nullLseek,
  mmap: mmapZero,
  getUnmappedArea: (mm, req) =>
    req.flags & MAP_SHARED
      ? shmemGetUnmappedArea(mm, { ...req, file: null })
      : thpGetUnmappedArea(mm, req),
};
