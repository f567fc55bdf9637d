/**
 * O_DIRECT on an ext4 regular file: fs/ext4/file.c ext4_dio_read_iter /
 * ext4_dio_write_iter -> fs/iomap/direct-io.c iomap_dio_rw(). The data
 * moves between the disk blocks and the caller's pages, held by GUP for
 * the I/O (`dio.pinType`), not through the page cache:
 *
 * - a read at or past EOF returns 0 (before any check); the offset and the
 *   length must be multiples of the disk's logical block size (512), else
 *   EINVAL (iomap_dio_bio_iter); the read stops at EOF;
 * - the page cache is written back over the range first
 *   (filemap_write_and_wait_range), so dirty cached data is on disk; a
 *   write then drops the cached pages of the range (unmapping them from
 *   every mapping: kiocb_invalidate_pages), writes the blocks and grows
 *   i_size;
 * - the user buffer needs no alignment: the reference host (6.18 on a
 *   virtio disk) accepted a buffer at any byte, and mmlab's root disk has
 *   no DMA alignment of its own.
 *
 * mmlab's root disk has no latency: the I/O completes within the call (a
 * real thread sleeps in iomap_dio_rw meanwhile; /dev/nvme0n1 shows that
 * part, lib/block/blkdev.ts). Verified against 6.18.44 (tests/conformance/
 * odirect_*.mm).
 * @module
 */

import { EFAULT, EFBIG, EINVAL } from "../abi/errno.ts";
import { O_APPEND } from "../abi/mman.ts";
import type { KnobValue } from "../policy.ts";
import type { Process } from "../proc/process.ts";
import type { SysOut } from "../syscalls.ts";
import type { OpenFile } from "./file.ts";
import type { Inode } from "./inode.ts";
import {
  FOLL_WRITE,
  getUserPages,
  type GupPage,
  pinUserPages,
  releaseUserPage,
} from "../mm/gup.ts";
import { fsyncRange } from "../mm/msync.ts";
import { unmapMappingPages } from "../mm/truncate.ts";
import { dropCachePages } from "../mm/filemap.ts";

/** The root disk's logical block size (bdev_logical_block_size). */
export const DIO_BLOCK = 512;

/** Policy `dio.pinType` for file direct I/O: pin (6.5+) or get the user pages. */
const DIO_PINS: Record<KnobValue<"dio.pinType">, boolean> = { get: false, pin: true };

/**
 * The user pages behind [addr, addr+len), held for the I/O; or -EFAULT
 * when not even the first could be taken. `devWrites`: the device writes
 * memory (a read).
 */
function holdPages(p: Process, addr: number, len: number, devWrites: boolean): GupPage[] | number {
  const first = addr - (addr % 4096);
  const n = Math.ceil((addr + len - first) / 4096);
  const flags = devWrites ? FOLL_WRITE : 0;
  const r = DIO_PINS[p.machine.policy("dio.pinType")]
    ? pinUserPages(p.mm, first, n, flags)
    : getUserPages(p.mm, first, n, flags);
  if (r.pages.length === 0) return r.err !== 0 ? r.err : -EFAULT;
  return r.pages;
}

/** The bytes of blocks [pos, pos+len) of the file on disk. */
function readBlocks(inode: Inode, pos: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const at = pos + done;
    const idx = Math.floor(at / 4096);
    const off = at - idx * 4096;
    const n = Math.min(len - done, 4096 - off);
    const b = inode.blocks?.read(idx);
    if (b !== undefined) out.set(b.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

/** Writes `data` to the file's blocks at `pos` (read-modify-write of each 4 KiB block). */
function writeBlocks(inode: Inode, pos: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const at = pos + done;
    const idx = Math.floor(at / 4096);
    const off = at - idx * 4096;
    const n = Math.min(data.length - done, 4096 - off);
    const block = new Uint8Array(4096);
    const old = inode.blocks?.read(idx);
    if (old !== undefined) block.set(old);
    block.set(data.subarray(done, done + n), off);
    inode.blocks?.write(idx, block);
    done += n;
  }
}

/**
 * ext4_dio_read_iter() at `pos`: bytes read into the user buffer at
 * `addr` (or returned in `data` for a literal buffer), 0 at EOF, -EINVAL
 * misaligned, -EFAULT for a buffer GUP cannot take.
 */
export function ext4DioRead(
  p: Process,
  f: OpenFile,
  addr: number | null,
  count: number,
  pos: number,
): SysOut {
  const inode = f.inode;
  if (count === 0 || pos >= inode.size) return { ret: 0, data: new Uint8Array(0) };
  if ((pos | count) % DIO_BLOCK !== 0) return { ret: -EINVAL };
  const n = Math.min(count, inode.size - pos);
  fsyncRange(p.machine, inode, pos, pos + n - 1);
  const data = readBlocks(inode, pos, n);
  if (addr === null) return { ret: n, data };
  const held = holdPages(p, addr, n, true);
  if (typeof held === "number") return { ret: held };
  // The device writes into the held frames (a short hold reads less).
  const frames = p.machine.frames;
  let done = 0;
  for (const pg of held) {
    const from = Math.max(addr, pg.addr);
    const to = Math.min(addr + n, pg.addr + 4096);
    for (let a = from; a < to; a++) frames.writeByte(pg.pfn, a - pg.addr, data[a - addr]);
    done += to - from;
  }
  for (const pg of held) releaseUserPage(p.mm, pg);
  return { ret: done, data: data.subarray(0, done) };
}

/**
 * ext4_dio_write_iter() at `pos0` (O_APPEND: at i_size): bytes written and
 * the position after them. generic_write_checks() first (count 0 is 0,
 * s_maxbytes EFBIG), then the alignment EINVAL, then the I/O.
 */
export function ext4DioWrite(
  p: Process,
  f: OpenFile,
  addr: number | null,
  literal: Uint8Array | null,
  count: number,
  pos0: number,
): { ret: number; pos: bigint } {
  const inode = f.inode;
  const fail = (ret: number) => ({ ret, pos: BigInt(pos0) });
  if (count === 0) return fail(0);
  const pos = (f.flags & O_APPEND) ? inode.size : pos0;
  if (BigInt(pos) >= inode.maxBytes) return fail(-EFBIG);
  if ((pos | count) % DIO_BLOCK !== 0) return fail(-EINVAL);
  let data: Uint8Array;
  let held: GupPage[] = [];
  if (addr === null) {
    data = new Uint8Array(count);
    if (literal !== null) data.set(literal.subarray(0, count));
  } else {
    const h = holdPages(p, addr, count, false);
    if (typeof h === "number") return fail(h);
    held = h;
    const frames = p.machine.frames;
    const len = Math.min(count, held[held.length - 1].addr + 4096 - addr);
    data = new Uint8Array(len - (len % DIO_BLOCK));
    for (let i = 0; i < data.length; i++) {
      const a = addr + i;
      const pg = held[Math.floor(a / 4096) - Math.floor(held[0].addr / 4096)];
      data[i] = frames.readByte(pg.pfn, a % 4096);
    }
    if (data.length === 0) {
      for (const pg of held) releaseUserPage(p.mm, pg);
      return fail(-EFAULT);
    }
  }
  // filemap_write_and_wait_range + kiocb_invalidate_pages: the cached
  // pages of the range go to disk, then out of every mapping and the cache.
  const m = p.machine;
  const first = Math.floor(pos / 4096), last = Math.ceil((pos + data.length) / 4096);
  fsyncRange(m, inode, pos, pos + data.length - 1);
  unmapMappingPages(m, inode, first, last, false);
  dropCachePages(m, inode, first, last);
  writeBlocks(inode, pos, data);
  if (pos + data.length > inode.size) inode.size = pos + data.length;
  for (const pg of held) releaseUserPage(p.mm, pg);
  return { ret: data.length, pos: BigInt(pos + data.length) };
}
