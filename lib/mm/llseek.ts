/**
 * Moving an open file's position: the llseek helpers of fs/read_write.c
 * (generic_file_llseek_size, vfs_setpos) and the SEEK_DATA/SEEK_HOLE
 * scans of mm/filemap.c (mapping_seek_hole_data, for shmem) and
 * fs/iomap/seek.c (iomap_seek_data/iomap_seek_hole, for ext4). They sit
 * beside the file_operations tables that call them: shmem's in mm, ext4's
 * in fs.
 *
 * Positions are loff_t: signed 64-bit, as bigints. A result below zero is
 * -errno.
 * @module
 */

import { EINVAL, ENXIO } from "../abi/errno.ts";
import { SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE } from "../abi/mman.ts";
import type { OpenFile } from "../fs/file.ts";

/** SEEK_MAX: a larger whence is EINVAL (ksys_lseek). */
export const SEEK_MAX = 4;

const I64 = (x: bigint) => BigInt.asIntN(64, x);
const PAGE = 4096n;

/**
 * fs/read_write.c vfs_setpos(): a negative position (the files modelled
 * have no FOP_UNSIGNED_OFFSET) or one past `maxsize` is EINVAL.
 */
export function vfsSetpos(file: OpenFile, offset: bigint, maxsize: bigint): bigint {
  if (offset < 0n || offset > maxsize) return -BigInt(EINVAL);
  file.pos = offset;
  return offset;
}

/**
 * fs/read_write.c generic_file_llseek_size(): SEEK_END counts from `eof`,
 * SEEK_CUR from f_pos (0 just reports it); SEEK_DATA at or past `eof` is
 * ENXIO, else stays; SEEK_HOLE there is ENXIO, else is `eof` (the whole
 * file is data).
 */
export function genericFileLlseekSize(
  file: OpenFile,
  offset: bigint,
  whence: number,
  maxsize: bigint,
  eof: bigint,
): bigint {
  switch (whence) {
    case SEEK_END:
      offset = I64(offset + eof);
      break;
    case SEEK_CUR:
      if (offset === 0n) return file.pos;
      return vfsSetpos(file, I64(file.pos + offset), maxsize);
    case SEEK_DATA:
      if (BigInt.asUintN(64, offset) >= eof) return -BigInt(ENXIO);
      break;
    case SEEK_HOLE:
      if (BigInt.asUintN(64, offset) >= eof) return -BigInt(ENXIO);
      offset = eof;
      break;
  }
  return vfsSetpos(file, offset, maxsize);
}

/**
 * The first data (SEEK_DATA) or hole (SEEK_HOLE) byte at or after `start`
 * in [start, end), given the indices of the pages holding data: a hole at
 * `start` is `start` itself; no hole before `end` gives `end`; no data is
 * ENXIO. mm/filemap.c mapping_seek_hole_data() (start >= end: ENXIO) and
 * fs/iomap/seek.c with one block per page. Costs what is present, not the
 * size of the range.
 */
export function seekHoleData(
  start: bigint,
  end: bigint,
  whence: number,
  dataPages: Iterable<number>,
): bigint {
  if (start >= end) return -BigInt(ENXIO);
  const first = Number(start / PAGE);
  const after: number[] = [];
  for (const i of dataPages) if (i >= first) after.push(i);
  after.sort((a, b) => a - b);
  if (whence === SEEK_DATA) {
    if (after.length === 0) return -BigInt(ENXIO);
    const at = BigInt(after[0]) * PAGE;
    if (at >= end) return -BigInt(ENXIO);
    return at > start ? at : start;
  }
  let hole = first;
  for (const i of after) {
    if (i !== hole) break;
    hole++;
  }
  if (hole === first) return start;
  const at = BigInt(hole) * PAGE;
  return at < end ? at : end;
}
