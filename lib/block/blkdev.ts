/**
 * Block devices as files: block/fops.c def_blk_fops, for /dev/nvme0n1.
 * A read or write of the device file goes to its driver as a bio; with
 * O_DIRECT the data moves between the device and the caller's own pages
 * (blkdev_direct_IO -> __blkdev_direct_IO_simple), which is what makes
 * the O_DIRECT-vs-fork race (devices.md §1.5, seed 004) possible:
 *
 * ```
 *  pread(fd, buf, n, pos)       blkdev_read_iter: pos >= size -> 0, count cut at the end
 *   blkdev_direct_IO            n == 0 -> 0; pos or len not a multiple of the logical
 *                               block size, or buf not dma-aligned -> EINVAL
 *   bio_iov_iter_get_pages      the user pages, by policy `dio.pinType`:
 *                               get (<= 6.4, FOLL_GET) or pin (6.5+, FOLL_PIN);
 *                               FOLL_WRITE when the device writes memory (a read)
 *   submit_bio_wait             the thread sleeps (D, wchan submit_bio_wait) while the
 *                               device works; its DMA reaches the frames at completion
 *   bio_release_pages           dirty (reads) and put/unpin each page
 * ```
 *
 * The device may write to a frame that is no longer the one the process
 * maps (fork + a COW write moved the process off it): the data lands in
 * the old frame, as real DMA does. Buffered I/O (without O_DIRECT) goes to
 * the device at once and synchronously: the block device's page cache is
 * not modelled. A block device cannot be mmapped here (no ->mmap).
 * @module
 */

import { EFAULT, EINVAL, ENOSPC } from "../abi/errno.ts";
import { O_DIRECT } from "../abi/mman.ts";
import type { KnobValue } from "../policy.ts";
import type { Process } from "../proc/process.ts";
import type { OpenFile } from "../fs/file.ts";
import type { Inode } from "../fs/inode.ts";
import type { FileOperations, IterRequest } from "../mm/file_operations.ts";
import type { SysOut } from "../syscalls.ts";
import {
  FOLL_WRITE,
  getUserPages,
  type GupPage,
  pinUserPages,
  releaseUserPage,
} from "../mm/gup.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { genericFileLlseekSize } from "../mm/llseek.ts";
import { WaitQueue } from "../sched/wait.ts";
import { PG_DIRTY, PG_FILE } from "../phys/frames.ts";

/** The wait channel of a thread waiting for its direct I/O (block/bio.c submit_bio_wait). */
export const WCHAN_BIO = "submit_bio_wait";

/**
 * One segment of a bio: a piece of a frame (`pfn` the frame the device
 * reads or writes, whoever maps it by then).
 */
export interface BioVec {
  /** The page frame (bv_page). */
  pfn: number;
  /** Offset in the page (bv_offset). */
  offset: number;
  /** Bytes (bv_len). */
  len: number;
}

/** A block I/O request (struct bio): what the driver is asked to move. */
export interface Bio {
  /** A write (REQ_OP_WRITE) or a read. */
  write: boolean;
  /** Byte offset on the device (bi_iter.bi_sector * 512). */
  pos: number;
  /** The segments, in order; or, for a kernel buffer, `buf`. */
  vecs: BioVec[];
  /** A kernel buffer instead of `vecs`, or null. */
  buf: Uint8Array | null;
  /** Bytes in all (bi_iter.bi_size). */
  size: number;
  /** bi_end_io: called by the driver when the device is done, with 0 or -errno. */
  endIo: (status: number) => void;
}

/**
 * What the block layer needs of a disk (struct gendisk with its
 * request_queue limits): a driver such as lib/drivers/nvme implements it.
 */
export interface BlockDevice {
  /** `nvme0n1` */
  readonly name: string;
  /** Bytes (bdev_nr_bytes). */
  readonly size: number;
  /** queue_logical_block_size(): 512. */
  readonly logicalBlockSize: number;
  /** queue_dma_alignment(): a mask (NVMe: 3, a dword). */
  readonly dmaAlignment: number;
  /** submit_bio(): the device completes it later through bio.endIo. */
  submitBio(bio: Bio): void;
  /** Synchronous byte access for buffered I/O (no page cache is modelled). */
  readBytes(pos: number, len: number): Uint8Array;
  /** Synchronous byte write for buffered I/O. */
  writeBytes(pos: number, data: Uint8Array): void;
}

/**
 * Policy `dio.pinType`: how bio_iov_iter_get_pages() holds the user pages
 * for the I/O: FOLL_GET references (before 6.5), or FOLL_PIN pins
 * (iov_iter_extract_pages + BIO_PAGE_PINNED, 6.5), which fork's early copy
 * (fork.pinnedPages) recognises.
 */
const DIO_PINS: Record<KnobValue<"dio.pinType">, boolean> = { get: false, pin: true };

/** The block device behind a block-special inode (its i_private). */
export function blockDevice(inode: Inode): BlockDevice {
  return inode.priv as BlockDevice;
}

/**
 * blkdev_direct_IO(): the checks, then __blkdev_direct_IO_simple() for a
 * user buffer: pin or get the pages, submit, sleep until the device is
 * done. Returns bytes done, -errno, or the blocked call.
 */
function directIo(p: Process, bdev: BlockDevice, req: IterRequest): SysOut | number {
  const { write, addr, count, pos } = req;
  if (count === 0) return 0;
  // blkdev_dio_invalid(): the offset and the length in whole logical
  // blocks, the buffer at the queue's DMA alignment (bdev_iter_is_aligned).
  const lbs = bdev.logicalBlockSize;
  if (pos % lbs !== 0 || count % lbs !== 0) return -EINVAL;
  if (addr !== null && (addr & bdev.dmaAlignment) !== 0) return -EINVAL;
  const m = p.machine;
  let pages: GupPage[] = [];
  const vecs: BioVec[] = [];
  let size = count;
  if (addr !== null) {
    // bio_iov_iter_get_pages(): the device writes memory on a read.
    const first = addr - (addr % 4096);
    const npages = Math.ceil((addr + count - first) / 4096);
    const gupFlags = write ? 0 : FOLL_WRITE;
    const r = DIO_PINS[m.policy("dio.pinType")]
      ? pinUserPages(p.mm, first, npages, gupFlags)
      : getUserPages(p.mm, first, npages, gupFlags);
    if (r.pages.length === 0) return r.err !== 0 ? r.err : -EFAULT;
    pages = r.pages;
    // A short pin: the bio covers whole logical blocks of what was taken.
    size = Math.min(count, first + pages.length * 4096 - addr);
    size -= size % lbs;
    if (size === 0) {
      for (const pg of pages) releaseUserPage(p.mm, pg);
      return -EFAULT;
    }
    let at = addr;
    const end = addr + size;
    for (const pg of pages) {
      if (at >= end) break;
      const off = at % 4096;
      const len = Math.min(4096 - off, end - at);
      vecs.push({ pfn: pg.pfn, offset: off, len });
      at += len;
    }
  }
  const buf = addr === null ? (write ? fit(req.data, count) : new Uint8Array(count)) : null;
  const t = m.currentOf(p);
  const wq = new WaitQueue(`bio of ${t.tid}`);
  const mm = p.mm;
  let status = 0;
  let finished = false;
  const bio: Bio = {
    write,
    pos,
    vecs,
    buf,
    size,
    endIo: (st) => {
      status = st;
      finished = true;
      // bio_release_pages(): a read dirtied the pages; then put or unpin each.
      for (const pg of pages) {
        if (!write && (m.frames.flags[pg.pfn] & PG_FILE)) m.frames.flags[pg.pfn] |= PG_DIRTY;
        releaseUserPage(mm, pg);
      }
      m.sched.wakeAll(wq);
    },
  };
  bdev.submitBio(bio);
  const result = (): number => (status < 0 ? status : size);
  if (finished) return result();
  const token = m.sched.sleep(t, wq, WCHAN_BIO, "D", {
    name: write ? "pwrite" : "pread",
    finish: () => {
      const ret = result();
      req.done?.(ret);
      return buf !== null && !write && ret > 0 ? { ret, data: buf.slice(0, ret) } : { ret };
    },
    // The task dies asleep (its group killed): the I/O goes on; the device
    // still completes it and the pages are given back then.
    cancel: () => {},
  });
  return { ret: 0, pending: token };
}

/** A literal write buffer of exactly `n` bytes (zeros past its end, as past a C string). */
function fit(data: Uint8Array | null, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (data !== null) out.set(data.subarray(0, n));
  return out;
}

/** Buffered I/O: straight to the device, now (no page cache for the block device here). */
function bufferedIo(p: Process, bdev: BlockDevice, req: IterRequest): SysOut | number {
  const { write, addr, count, pos } = req;
  if (write) {
    const data = addr !== null ? copyFromUser(p, addr, count) : fit(req.data, count);
    if (data.length === 0 && count > 0) return -EFAULT;
    bdev.writeBytes(pos, data);
    return data.length;
  }
  const data = bdev.readBytes(pos, count);
  if (addr !== null) {
    const left = copyToUser(p, addr, data);
    if (left === count && count > 0) return -EFAULT;
    return { ret: count - left, data: data.subarray(0, count - left) };
  }
  return { ret: count, data };
}

/**
 * blkdev_read_iter() / blkdev_write_iter(): at or past the end a read
 * returns 0 and a write ENOSPC; the count is cut at the device's end;
 * then direct (O_DIRECT) or buffered I/O.
 */
function blkdevRwIter(p: Process, file: OpenFile, req: IterRequest): SysOut | number {
  const bdev = blockDevice(file.inode);
  if (req.pos >= bdev.size) return req.write ? -ENOSPC : 0;
  const r: IterRequest = { ...req, count: Math.min(req.count, bdev.size - req.pos) };
  return (file.flags & O_DIRECT) ? directIo(p, bdev, r) : bufferedIo(p, bdev, r);
}

/** block/fops.c def_blk_fops, the part mmlab models. */
export const BLKDEV_FOPS: FileOperations = {
  name: "def_blk_fops",
  fopFlags: 0,
  rwIter: blkdevRwIter,
  llseek(_p, file, offset, whence): bigint {
    // blkdev_llseek() -> fixed_size_llseek(): within the device's size.
    const size = BigInt(blockDevice(file.inode).size);
    return genericFileLlseekSize(file, offset, whence, size, size);
  },
};
