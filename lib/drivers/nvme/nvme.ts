/**
 * An NVMe disk, in small: one namespace (nvme0n1) behind one I/O queue
 * (drivers/nvme/host/pci.c nvme_queue_rq -> the device -> nvme_irq ->
 * nvme_pci_complete_rq -> blk_mq_end_request -> bio_endio). The block
 * layer (lib/block/blkdev.ts) hands it bios; the device works through its
 * queue in order on the virtual clock and, when a command completes,
 * moves the data by DMA: a read stores the disk's bytes into the bio's
 * frames, a write loads them from there. The DMA uses the frames the bio
 * names, whoever maps them by then (no IOMMU here: the addresses are the
 * frames'), so a frame that changed hands meanwhile still receives the
 * data.
 *
 * Timing (emulator-defined, deterministic): a command takes
 * {@link NVME_LATENCY_NS} plus its size at {@link NVME_BYTES_PER_US}, and
 * starts when the previous one is done. The disk's bytes are sparse: a
 * block never written reads as zeros.
 *
 * Nothing here knows PCI: the PCI model binds this driver to a function
 * (and may feed it the function's BAR doorbells) without this file
 * changing.
 * @module
 */

import type { Machine } from "../../machine.ts";
import type { Bio, BlockDevice } from "../../block/blkdev.ts";

/** Time from doorbell to completion for a command, before its transfer (100 µs). */
export const NVME_LATENCY_NS = 100_000;
/** Transfer rate: 2000 bytes per µs (about 2 GB/s). */
export const NVME_BYTES_PER_US = 2000;

const CHUNK = 4096;

export interface NvmeConfig {
  /** The namespace's block device name: `nvme0n1`. */
  name?: string;
  /** Capacity in bytes (a multiple of 512). */
  size?: number;
}

/** One command in the queue (a struct request), for views and tests. */
export interface NvmeCommand {
  /** nvme_cmd_read or nvme_cmd_write. */
  opcode: "read" | "write";
  /** Starting LBA (512-byte blocks). */
  slba: number;
  /** Number of blocks. */
  nlb: number;
  /** Virtual time the device completes it. */
  completesAt: number;
}

/** An NVMe namespace (drivers/nvme/host): a block device whose commands complete later. */
export class NvmeNamespace implements BlockDevice {
  /** The block device's name (nvme0n1). */
  readonly name: string;
  /** Capacity in bytes. */
  readonly size: number;
  readonly logicalBlockSize = 512;
  /** drivers/nvme/host/core.c: lim->dma_alignment = 3 (NVMe needs dword-aligned buffers). */
  readonly dmaAlignment = 3;
  /** Commands submitted, not yet completed, in order. */
  readonly queue: NvmeCommand[] = [];
  /** Commands completed since power-on. */
  completed = 0;
  /** The disk's bytes, by 4 KiB chunk (absent: zeros). */
  private readonly data: Map<number, Uint8Array> = new Map();
  /** When the device finishes what it was given so far. */
  private busyUntil = 0;

  /** A namespace on machine `m` (its clock completes the commands). */
  constructor(private readonly m: Machine, config: NvmeConfig = {}) {
    this.name = config.name ?? "nvme0n1";
    this.size = config.size ?? 64 * 2 ** 30;
  }

  /**
   * nvme_queue_rq(): the command goes on the submission queue and the
   * doorbell rings; the device completes it later (a timer on the clock).
   */
  submitBio(bio: Bio): void {
    const start = Math.max(this.m.clock.ns, this.busyUntil);
    const done = start + NVME_LATENCY_NS + Math.ceil(bio.size * 1000 / NVME_BYTES_PER_US);
    this.busyUntil = done;
    const cmd: NvmeCommand = {
      opcode: bio.write ? "write" : "read",
      slba: bio.pos / 512,
      nlb: bio.size / 512,
      completesAt: done,
    };
    this.queue.push(cmd);
    this.m.sched.timers.start(done, `${this.name} ${cmd.opcode} lba ${cmd.slba}`, () => {
      this.queue.splice(this.queue.indexOf(cmd), 1);
      this.dma(bio);
      this.completed++;
      bio.endIo(0);
    });
  }

  /** The device's DMA for a completed command: memory <-> disk. */
  private dma(bio: Bio): void {
    if (bio.buf !== null) {
      // A kernel buffer (the REPL passed the data itself).
      if (bio.write) this.writeBytes(bio.pos, bio.buf.subarray(0, bio.size));
      else bio.buf.set(this.readBytes(bio.pos, bio.size));
      return;
    }
    const frames = this.m.frames;
    let pos = bio.pos;
    for (const v of bio.vecs) {
      if (bio.write) {
        const page = frames.peekBytes(v.pfn);
        const bytes = page === undefined
          ? new Uint8Array(v.len)
          : page.slice(v.offset, v.offset + v.len);
        this.writeBytes(pos, bytes);
      } else {
        const bytes = this.readBytes(pos, v.len);
        for (let i = 0; i < v.len; i++) frames.writeByte(v.pfn, v.offset + i, bytes[i]);
      }
      pos += v.len;
    }
  }

  /** The disk's bytes at [pos, pos+len). */
  readBytes(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const at = pos + done;
      const idx = Math.floor(at / CHUNK);
      const off = at - idx * CHUNK;
      const n = Math.min(len - done, CHUNK - off);
      const c = this.data.get(idx);
      if (c !== undefined) out.set(c.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Stores `bytes` at `pos` on the disk. */
  writeBytes(pos: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const at = pos + done;
      const idx = Math.floor(at / CHUNK);
      const off = at - idx * CHUNK;
      const n = Math.min(bytes.length - done, CHUNK - off);
      const part = bytes.subarray(done, done + n);
      let c = this.data.get(idx);
      if (c === undefined && part.some((b) => b !== 0)) {
        c = new Uint8Array(CHUNK);
        this.data.set(idx, c);
      }
      c?.set(part, off);
      done += n;
    }
  }
}
