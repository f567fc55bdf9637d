/**
 * A device that mirrors part of an mm through HMM: its own page table
 * (iova -> pfn, as lib/test_hmm.c's dmirror keeps in an xarray and
 * mlx5's ODP keeps in its MTT), filled by faults through
 * hmm_range_fault() and emptied by its interval notifier's invalidate
 * callback. mm's side of every HMM user in mmlab: the REPL's
 * `hmm_range_fault` (a dmirror-like device per process), and the RDMA ODP
 * memory regions. `check` reads every mirror through the notifier tree
 * (`devicePageTable` on the subscription's ops).
 *
 * Here iova == the user virtual address (an ODP MR's iova is its start
 * address; zero-based MRs are not modelled).
 * @module
 */

import { EOVERFLOW } from "../abi/errno.ts";
import type { Mm } from "./mm.ts";
import {
  type MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  type MmuIntervalNotifierOps,
  mmuIntervalNotifierRemove,
  mmuIntervalSetSeq,
  type MmuNotifierRange,
} from "./mmu_notifier.ts";
import {
  HMM_PFN_REQ_FAULT,
  HMM_PFN_REQ_WRITE,
  HMM_PFN_VALID,
  HMM_PFN_WRITE,
  hmmPfnToPfn,
  type HmmRange,
  hmmRange,
  mirrorRangeFault,
  type MirrorTry,
} from "./hmm.ts";

/** One device PTE. */
export interface DevicePte {
  /** Page frame (or bus address page, for p2p) the device maps. */
  pfn: number;
  /** The device may write through this PTE. */
  write: boolean;
  /** A bus address the exporter's p2p_map gave (RFC), not a CPU page. */
  p2p: boolean;
}

/** One invalidation the mirror saw, for views. */
export interface MirrorInvalidation {
  /** The mmu_notifier_event that caused it (`UNMAP`, `CLEAR`, ...). */
  event: string;
  /** Start of the invalidated range. */
  start: number;
  /** End of the invalidated range (exclusive). */
  end: number;
  /** The sequence mmu_interval_set_seq() recorded. */
  curSeq: number;
  /** Device PTEs dropped. */
  dropped: number;
}

/** What one device fault did. */
export interface MirrorFault {
  /** 0, or the -errno the fault ended with. */
  ret: number;
  /** Each round of the HMM protocol, in order. */
  tries: MirrorTry[];
  /** The hmm_range used, with its output slots. */
  range: HmmRange;
}

/** How many invalidations a mirror remembers. */
const LOG_MAX = 16;

/** A mirroring device's page table over one interval of one mm. */
export class DeviceMirror implements MmuIntervalNotifierOps {
  /** iova page address -> device PTE. */
  readonly devicePageTable: Map<number, DevicePte> = new Map();
  /** The newest invalidations (oldest first). */
  readonly log: MirrorInvalidation[] = [];
  /** The interval notifier subscription that calls {@link DeviceMirror.invalidate}. */
  readonly sub: MmuIntervalNotifier;

  private constructor(mm: Mm, start: number, length: number, owner: string) {
    const sub = mmuIntervalNotifierInsert(mm, start, length, this, owner);
    if (typeof sub === "number") throw new RangeError(`mmu_interval_notifier_insert: ${sub}`);
    this.sub = sub;
  }

  /** Subscribes a mirror of [start, start+length); a number is the insert's -errno. */
  static create(mm: Mm, start: number, length: number, owner: string): DeviceMirror | number {
    if (length === 0 || start + length > 2 ** 64) return -EOVERFLOW;
    return new DeviceMirror(mm, start, length, owner);
  }

  /** The mm this mirror shadows. */
  get mm(): Mm {
    return this.sub.mm;
  }

  /**
   * ->invalidate: under the driver lock, mmu_interval_set_seq() and drop
   * every device PTE in the range (mlx5_ib_invalidate_range /
   * dmirror_interval_invalidate).
   */
  invalidate(sub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean {
    mmuIntervalSetSeq(sub, curSeq);
    let dropped = 0;
    for (const iova of [...this.devicePageTable.keys()]) {
      if (iova >= range.start && iova < range.end) {
        this.devicePageTable.delete(iova);
        dropped++;
      }
    }
    sub.mm.machine.trace?.step(
      "mmu_notifier_invalidate_range_start → mn_itree_invalidate → ops->invalidate → mmu_interval_set_seq",
      `interval ${sub.id}: invalidate_seq ${curSeq}; ${dropped} device PTE${
        dropped === 1 ? "" : "s"
      } dropped`,
    );
    this.log.push({ event: range.event, start: range.start, end: range.end, curSeq, dropped });
    if (this.log.length > LOG_MAX) this.log.shift();
    return true;
  }

  /**
   * A device page fault on [start, start + npages pages): the HMM protocol
   * with HMM_PFN_REQ_FAULT (+ HMM_PFN_REQ_WRITE), then the device PTEs are
   * written from the slots under the driver lock. `importer` is passed to
   * an exporter's p2p_map (RFC).
   */
  fault(start: number, npages: number, write: boolean, importer?: unknown): MirrorFault {
    return this.faultFlags(
      start,
      npages,
      HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0n),
      importer,
    );
  }

  /** {@link fault} with any default_flags (0: only look, fault nothing). */
  faultFlags(start: number, npages: number, flags: bigint, importer?: unknown): MirrorFault {
    const range = hmmRange(this.sub, start, npages, flags);
    if (importer !== undefined) range.p2pImporter = importer;
    const r = mirrorRangeFault(range, (rg) => this.commit(rg));
    return { ...r, range };
  }

  /** Programs the device PTEs from a range's VALID slots. */
  private commit(range: HmmRange): void {
    this.mm.machine.trace?.step(
      "dmirror_do_fault",
      `the VALID slots of [0x${range.start.toString(16)}, 0x${
        range.end.toString(16)
      }) programmed under the driver lock`,
    );
    for (let i = 0; i < range.hmmPfns.length; i++) {
      const slot = range.hmmPfns[i];
      if (!(slot & HMM_PFN_VALID)) continue;
      this.devicePageTable.set(range.start + i * 4096, {
        pfn: hmmPfnToPfn(slot),
        write: (slot & HMM_PFN_WRITE) !== 0n,
        p2p: range.p2p?.[i] ?? false,
      });
    }
  }

  /** The device PTE at a page address, if mapped. */
  lookup(iova: number): DevicePte | undefined {
    return this.devicePageTable.get(iova - (iova % 4096));
  }

  /** mmu_interval_notifier_remove() and an empty device page table. */
  destroy(): void {
    this.devicePageTable.clear();
    mmuIntervalNotifierRemove(this.sub);
  }
}

/** The mirror behind a subscription, if it is one (views, check). */
export function mirrorOf(sub: MmuIntervalNotifier): DeviceMirror | null {
  return sub.ops instanceof DeviceMirror ? sub.ops : null;
}
