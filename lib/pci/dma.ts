/**
 * A function's DMA engine: the device side of bus-master DMA. Ops are
 * queued with a bus address (an IOVA when the function is attached to an
 * IOMMU domain, else a physical address), run in order, and complete
 * later on the virtual clock (a timer at the op's due time), when the
 * transfer happens: a DMA write whose target frame was freed and reused
 * meanwhile lands in the new owner's page, which is how lost pins turn
 * into visible corruption. Each completion is a `dma` event.
 *
 * At execution, in the device's order of checks:
 * 1. the function must be present and bus master (COMMAND.MASTER), else
 *    the op is `aborted` (the device cannot issue the request);
 * 2. page by page, the IOMMU translates (lib/pci/iommu.ts); a fault
 *    follows `iommu.deviceOnFault`: `error-completion` (the op completes
 *    with status `iommu-fault` after the bytes before the fault),
 *    `hang` (the op never completes and the engine stalls: the ops behind
 *    it wait for ever), `ignore` (the page is skipped: writes dropped,
 *    reads get zeros, and the op goes on);
 * 3. the physical address: RAM (frames), another function's BAR
 *    (peer-to-peer, through its register model), or nothing: an
 *    Unsupported Request (`unsupported-request`).
 * Timing (emulator-defined): 1 us of setup plus 8 bytes a nanosecond,
 * after the op ahead of it.
 * @module
 */

import type { PciDev } from "./device.ts";
import type { PciTopology } from "./topology.ts";
import type { KnobValue } from "../policy.ts";

/** From the device's side: `read` fetches memory (host to device), `write` stores to it. */
export type DmaDir = "read" | "write";

/**
 * Where an op stands: pending, ok, an IOMMU fault, an unsupported request (no
 * RAM or MMIO at the address), aborted (bus mastering off) or an injected error.
 */
export type DmaStatus =
  | "pending"
  | "ok"
  | "iommu-fault"
  | "unsupported-request"
  | "aborted"
  | "error";

/** One DMA operation. */
export interface DmaOp {
  /** Op number, 1, 2, ... per engine. */
  id: number;
  /** Direction, from the device's side. */
  dir: DmaDir;
  /** Bus address (IOVA or physical). */
  addr: number;
  /** Length in bytes. */
  len: number;
  /** What a write stores. */
  bytes?: Uint8Array;
  /** What a read fetched (bytes before a stop; zeros for ignored pages). */
  data?: Uint8Array;
  /** Virtual time it was queued (ns). */
  submitted: number;
  /** Virtual time it completes (or would, for a hung op). */
  due: number;
  /** Outcome so far. */
  status: DmaStatus;
  /** Bytes transferred. */
  done: number;
}

/** Setup cost of one op (ns), and bytes moved per ns. */
export const DMA_SETUP_NS = 1000;
/** Bytes one op moves per virtual ns after its setup. */
export const DMA_BYTES_PER_NS = 8;
/** The largest op (bytes). */
export const DMA_MAX_LEN = 1 << 24;
/** Completed ops an engine keeps (the newest). */
export const DMA_LOG_MAX = 64;

/** What a faulting page does to the op, per `iommu.deviceOnFault`: stop it, hang, or skip. */
const ON_FAULT: Record<KnobValue<"iommu.deviceOnFault">, "stop" | "hang" | "skip"> = {
  "error-completion": "stop",
  "hang": "hang",
  "ignore": "skip",
};

/** One function's DMA engine. */
export class DmaEngine {
  /** Ops submitted and not completed, in order. */
  readonly pending: DmaOp[] = [];
  /** Completed ops, newest last (the newest {@link DMA_LOG_MAX}). */
  readonly completed: DmaOp[] = [];
  /** Ops completed since boot. */
  completedCount = 0;
  /** A fault under `hang` stalled the engine: nothing completes any more. */
  hung = false;
  /** inject-fault dma-error: the next op to run completes with `error`. */
  errorNext = false;
  private nextId = 1;
  private lastDue = 0;

  /** The DMA engine of function `dev` in topology `t`. */
  constructor(private readonly t: PciTopology, readonly dev: PciDev) {}

  /**
   * Queues an op; returns it (status `pending`), or an error string for a
   * malformed one (bad length, a write without bytes of that length).
   * `onComplete` runs when it completes, whatever its status (not for an
   * op a hung engine never completes): a driver's completion path.
   */
  submit(
    dir: DmaDir,
    addr: number,
    len: number,
    bytes?: Uint8Array,
    onComplete?: (op: DmaOp) => void,
  ): DmaOp | string {
    if (!Number.isSafeInteger(len) || len <= 0 || len > DMA_MAX_LEN) {
      return `DMA length ${len}: 1 to ${DMA_MAX_LEN} bytes`;
    }
    if (!Number.isSafeInteger(addr) || addr < 0) return `DMA address ${addr}: not a bus address`;
    if (dir === "write" && (bytes === undefined || bytes.length !== len)) {
      return `a DMA write of ${len} bytes needs ${len} bytes of data`;
    }
    const now = this.t.env.clock.ns;
    const due = Math.max(now, this.lastDue) + DMA_SETUP_NS + Math.ceil(len / DMA_BYTES_PER_NS);
    this.lastDue = due;
    const op: DmaOp = {
      id: this.nextId++,
      dir,
      addr,
      len,
      submitted: now,
      due,
      status: "pending",
      done: 0,
    };
    if (bytes !== undefined) op.bytes = bytes.slice();
    this.pending.push(op);
    this.t.env.sched.timers.start(
      due,
      `dma ${this.dev.bdf} #${op.id}`,
      () => this.complete(op, onComplete),
    );
    return op;
  }

  /** The op's timer fired: run it unless the engine hangs or an op ahead of it does. */
  private complete(op: DmaOp, onComplete?: (op: DmaOp) => void): void {
    if (this.hung || this.pending[0] !== op) return;
    this.run(op);
    if (op.status === "pending") {
      this.hung = true;
      return;
    }
    this.pending.shift();
    this.completed.push(op);
    this.completedCount++;
    if (this.completed.length > DMA_LOG_MAX) this.completed.shift();
    this.t.env.events.emit({
      kind: "dma",
      bdf: this.dev.bdf,
      id: op.id,
      dir: op.dir,
      addr: op.addr,
      len: op.len,
      status: op.status,
      done: op.done,
    });
    // The driver's completion path (a CQE, a bio's end_io), after the event.
    onComplete?.(op);
  }

  /** The transfer, page by page (see the module comment for the order of checks). */
  private run(op: DmaOp): void {
    const dev = this.dev, env = this.t.env;
    if (!dev.mastersDma()) {
      op.status = "aborted";
      return;
    }
    if (this.errorNext) {
      this.errorNext = false;
      op.status = "error";
      return;
    }
    const write = op.dir === "write";
    const data = write ? undefined : new Uint8Array(op.len);
    if (data !== undefined) op.data = data;
    const frames = env.frames;
    let at = 0;
    while (at < op.len) {
      const a = op.addr + at;
      const n = Math.min(op.len - at, 4096 - (a % 4096));
      const phys = this.t.iommu.translate(dev, a, write);
      if (phys === null) {
        const what = ON_FAULT[env.policy("iommu.deviceOnFault")];
        if (what === "hang") return; // stays pending
        if (what === "stop") {
          op.status = "iommu-fault";
          if (data !== undefined) op.data = data.subarray(0, at);
          return;
        }
        at += n;
        continue;
      }
      const pfn = Math.floor(phys / 4096), off = phys % 4096;
      if (pfn < frames.nframes) {
        // A whole page at once where it can (frames.load), else byte by byte.
        if (write && n === 4096) frames.load(pfn, op.bytes!.subarray(at, at + n));
        else if (write) {
          for (let i = 0; i < n; i++) frames.writeByte(pfn, off + i, op.bytes![at + i]);
        } else {
          const b = frames.peekBytes(pfn);
          if (b !== undefined) data!.set(b.subarray(off, off + n), at);
        }
      } else {
        const io = env.iomem.mmioAt(phys);
        if (io === null) {
          op.status = "unsupported-request";
          if (data !== undefined) op.data = data.subarray(0, at);
          return;
        }
        // Peer-to-peer: another function's registers (or an unclaimed window).
        if (write) io.ops.write(io.off, op.bytes!.subarray(at, at + n));
        else data!.set(io.ops.read(io.off, n), at);
      }
      at += n;
      op.done = at;
    }
    op.done = op.len;
    op.status = "ok";
  }
}
