/**
 * ext4's file and directory operations (fs/ext4/file.c ext4_file_operations,
 * fs/ext4/dir.c ext4_dir_operations, fs/ext4/ioctl.c ext4_ioctl), the parts
 * mmlab models: mmap through ext4_file_mmap_prepare, fileattr_get for
 * FS_IOC_GETFLAGS. Checked on 6.18.44: a new file or directory reads
 * 0x80000 (EXT4_EXTENTS_FL, lsattr's `e`); unknown requests are ENOTTY.
 * @module
 */

import { EISDIR, ENXIO, EOPNOTSUPP } from "../abi/errno.ts";
import { SEEK_DATA, SEEK_HOLE } from "../abi/mman.ts";
import { genericFileLlseekSize, seekHoleData, vfsSetpos } from "../mm/llseek.ts";
import { PG_DIRTY } from "../phys/frames.ts";
import type { Process } from "../proc/process.ts";
import type { OpenFile } from "./file.ts";
import { VM_SYNC } from "../mm/vm_flags.ts";
import { GENERIC_FILE_VM_OPS } from "../mm/filemap.ts";
import { thpGetUnmappedArea } from "../mm/get_unmapped_area.ts";
import {
  type FileOperations,
  FOP_MMAP_SYNC,
  type InodeOperations,
  type VmAreaDesc,
} from "../mm/file_operations.ts";
import type { Inode } from "./inode.ts";
import type { Machine } from "../machine.ts";
import { fsyncRange } from "../mm/msync.ts";

/** fs/ext4/ext4.h: EXT4_EXTENTS_FL, set on every new inode of an extent filesystem. */
export const EXT4_EXTENTS_FL = 0x00080000;

/**
 * fs/ext4/file.c ext4_file_mmap_prepare(): MAP_SYNC needs a DAX inode
 * (daxdev_mapping_supported()); checked on 6.18.44, a MAP_SYNC mapping of a
 * plain ext4 file is EOPNOTSUPP after MAP_FIXED's unmap.
 */
function ext4FileMmapPrepare(desc: VmAreaDesc): number {
  if ((desc.vmFlags & VM_SYNC) && !desc.file.inode.dax) return -EOPNOTSUPP;
  desc.vmOps = GENERIC_FILE_VM_OPS; // ext4_file_vm_ops
  return 0;
}

/**
 * fs/ext4/file.c ext4_llseek(): SEEK_SET/CUR/END by
 * generic_file_llseek_size() up to s_maxbytes; SEEK_DATA/SEEK_HOLE by
 * iomap_seek_data()/iomap_seek_hole() over ext4_iomap_report_ops, where a
 * block is data once allocated or delayed (a dirty page-cache page not yet
 * written back), and a hole otherwise; positions < 0 or >= i_size are
 * ENXIO.
 */
function ext4Llseek(p: Process, file: OpenFile, offset: bigint, whence: number): bigint {
  const inode = file.inode;
  const max = inode.maxBytes;
  const size = BigInt(inode.size);
  if (whence !== SEEK_DATA && whence !== SEEK_HOLE) {
    return genericFileLlseekSize(file, offset, whence, max, size);
  }
  if (offset < 0n) return -BigInt(ENXIO);
  const flags = p.machine.frames.flags;
  const data = new Set(inode.blocks?.indices() ?? []);
  for (const [index, pfn] of inode.pages) if (flags[pfn] & PG_DIRTY) data.add(index);
  const r = seekHoleData(offset, size, whence, data);
  return r < 0n ? r : vfsSetpos(file, r, max);
}

/**
 * fs/ext4/dir.c ext4_dir_llseek() for an htree directory (any directory of
 * one block with dir_index): generic_file_llseek_size() with the 64-bit
 * hash EOF, EXT4_HTREE_EOF_64BIT, as both limit and end.
 */
function ext4DirLlseek(_p: Process, file: OpenFile, offset: bigint, whence: number): bigint {
  const eof = 0x7fffffffffffffffn;
  return genericFileLlseekSize(file, offset, whence, eof, eof);
}

/** fs/ext4/ioctl.c ext4_fileattr_get(): the user-visible flags (EXT4_FL_USER_VISIBLE). */
function ext4FileattrGet(inode: Inode): number {
  return inode.iflags;
}

/**
 * fs/ext4/file.c ext4_file_inode_operations, fs/ext4/namei.c
 * ext4_dir_inode_operations: fileattr_get, which FS_IOC_GETFLAGS uses.
 */
export const EXT4_INODE_OPS: InodeOperations = { fileattrGet: ext4FileattrGet };

/**
 * fs/ext4/file.c: ext4_file_operations (FOP_MMAP_SYNC: MAP_SYNC passes
 * do_mmap's mask; .get_unmapped_area = thp_get_unmapped_area, so mappings
 * of 2 MiB or more are placed PMD aligned to their file offset).
 */
export const EXT4_FILE_OPS: FileOperations = {
  name: "ext4_file_operations",
  fopFlags: FOP_MMAP_SYNC,
  getUnmappedArea: thpGetUnmappedArea,
  llseek: ext4Llseek,
  mmapPrepare: ext4FileMmapPrepare,
  release: ext4ReleaseFile,
};

/**
 * fs/ext4/file.c ext4_release_file(): a file truncated to 0 and written
 * since (the replace-via-truncate pattern, auto_da_alloc) has its delayed
 * allocation forced at the close of any of its open files:
 * ext4_alloc_da_blocks() -> filemap_flush() starts writeback of every
 * dirty page (cleaning them and their PTEs, as fsync would). Only with
 * delalloc blocks reserved, i.e. dirty page-cache data.
 */
function ext4ReleaseFile(inode: Inode, _file: OpenFile, m: Machine): void {
  if (!inode.daAllocClose) return;
  inode.daAllocClose = false;
  for (const pfn of inode.pages.values()) {
    if (m.frames.flags[pfn] & PG_DIRTY) {
      fsyncRange(m, inode, 0, Infinity);
      return;
    }
  }
}

/** fs/ext4/dir.c: ext4_dir_operations: no ->mmap (mmap is ENODEV). */
export const EXT4_DIR_OPS: FileOperations = {
  name: "ext4_dir_operations",
  fopFlags: 0,
  read: () => -EISDIR, // generic_read_dir()
  llseek: ext4DirLlseek,
};
