/**
 * The machine's RDMA stack: the functions an mlx5 driver is bound to, the
 * ib_devices it registers (`mlx5_N`, the lowest free N, as
 * ib_device_set_name("mlx5_%d") picks), their uverbs char devices
 * (`uverbsN`, the lowest free minor), and what device loss does to them:
 * a fatal error with reload, a surprise hot-unplug, or a VF removed for VM
 * migration with a new VF appearing.
 * @module
 */

import type { Machine } from "../../machine.ts";
import { type DoorbellWrite, MM_PINS, type PinApi, type RdmaFunction } from "./hw.ts";
import { IbDevice, type UverbsDevice } from "./uverbs.ts";
import { Mlx5Ib } from "./mlx5.ts";
import { ibUverbsAddOne, ibUverbsRemoveOne } from "./uverbs_main.ts";
import type { Resource } from "../../phys/iomem.ts";
import { Libibverbs, type VerbsProcess } from "./libibverbs.ts";

/** One registered device and what it sits on. */
export interface RdmaSlot {
  fn: RdmaFunction;
  ib: IbDevice;
  uverbs: UverbsDevice;
}

/** What a device loss did. */
export interface LossResult {
  /** The ib_device that went (`mlx5_1`). */
  lost: string;
  /** Files the removal still waits for (policy `block`); 0 when it returned at once. */
  waitingFor: number;
  /** The device registered in its place (reload, new VF), once the removal is done. */
  added: string | null;
}

/** Kinds of device loss `inject-fault` models for an RDMA function. */
export type RdmaLossKind = "fatal" | "hot-unplug" | "vf-migrate";

/**
 * The doorbell BAR of a function before lib/pci models it: a range of the
 * PCI window in the iomem tree, and the device's log of writes.
 */
class WindowFunction implements RdmaFunction {
  private readonly log: DoorbellWrite[] = [];
  gone = false;
  constructor(
    readonly bdf: string,
    readonly isVF: boolean,
    readonly res: Resource,
  ) {}
  get barPfn(): number {
    return Math.floor(this.res.start / 4096);
  }
  get barPages(): number {
    return this.res.size / 4096;
  }
  present(): boolean {
    return !this.gone;
  }
  doorbells(): readonly DoorbellWrite[] {
    return this.log;
  }
  mmioWrite(offset: number, width: number, value: bigint, ns: number): void {
    // A removed function answers nothing: the write is dropped on the bus.
    if (this.gone) return;
    this.log.push({ ns, bar: 0, offset, width, value });
  }
}

/** BAR 0 of an mlx5 function: 32 pages (init segment and UARs). */
const BAR_PAGES = 32;

export class RdmaSubsystem {
  /** Registered devices by uverbs minor. */
  readonly slots: (RdmaSlot | undefined)[] = [];
  /** Removals waiting for files to close (policy `block`). */
  readonly pending: LossResult[] = [];
  /** Every uverbs device made, removed ones too (their files may still be open). */
  readonly devices: UverbsDevice[] = [];
  pins: PinApi = MM_PINS;
  /** libibverbs' state in each process that called a verb, by pid. */
  readonly userspace: Map<number, VerbsProcess> = new Map();
  /** The verbs, as a program linked with libibverbs and libmlx5 calls them. */
  readonly verbs: Libibverbs = new Libibverbs(this);
  private nextBarOff = 0;
  private nextVf = 1;

  constructor(readonly machine: Machine) {}

  /** The default cards: an mlx5 PF and one of its VFs. */
  boot(): void {
    this.probe(this.newFunction("0000:03:00.0", false));
    this.probe(this.newFunction(`0000:03:00.${this.nextVf++}`, true));
  }

  private newFunction(bdf: string, isVF: boolean): WindowFunction {
    const m = this.machine;
    const start = m.pciWindow.start + this.nextBarOff;
    this.nextBarOff += BAR_PAGES * 4096;
    const res = m.iomem.request(m.pciWindow, bdf, start, BAR_PAGES * 4096) as Resource;
    return new WindowFunction(bdf, isVF, res);
  }

  /** mlx5_ib probe: ib_register_device() and the uverbs client's add_one. */
  probe(fn: RdmaFunction): RdmaSlot {
    const names = new Set(this.slots.map((s) => s?.ib.name));
    let n = 0;
    while (names.has(`mlx5_${n}`)) n++;
    const ib = new IbDevice(`mlx5_${n}`, new Mlx5Ib(fn), fn);
    let minor = 0;
    while (this.slots[minor] !== undefined) minor++;
    const slot = { fn, ib, uverbs: ibUverbsAddOne(this.machine, ib, minor, this.pins) };
    this.devices.push(slot.uverbs);
    this.slots[minor] = slot;
    return slot;
  }

  /** A registered device by ib name, uverbs name or BDF. */
  find(target: string): RdmaSlot | undefined {
    return this.slots.find((s) =>
      s !== undefined &&
      (s.ib.name === target || `uverbs${s.uverbs.devnum}` === target || s.fn.bdf === target)
    );
  }

  /**
   * ib_unregister_device() -> ib_uverbs_remove_one(); `then` runs once
   * the removal is complete (at once, or when the last file closes).
   */
  unregister(slot: RdmaSlot, then: () => void): number {
    const r = ibUverbsRemoveOne(slot.uverbs, () => {
      slot.ib.registered = false;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = undefined;
      then();
    });
    return r.waitingFor;
  }

  /**
   * Device loss of `target`: `fatal` (mlx5 health: unload, then reload the
   * same function), `hot-unplug` (the function leaves the bus), `vf-migrate`
   * (the VF is removed before migration; a new VF appears after it).
   */
  loseDevice(target: string, kind: RdmaLossKind): LossResult | string {
    const slot = this.find(target);
    if (slot === undefined) return `no RDMA device ${target}`;
    if (kind === "vf-migrate" && !slot.fn.isVF) return `${slot.fn.bdf} is not a VF`;
    const fn = slot.fn as WindowFunction;
    const result: LossResult = { lost: slot.ib.name, waitingFor: 0, added: null };
    if (kind !== "fatal") fn.gone = true;
    const waiting = this.unregister(slot, () => {
      const i = this.pending.indexOf(result);
      if (i >= 0) this.pending.splice(i, 1);
      if (kind !== "fatal") this.machine.iomem.release(fn.res);
      if (kind === "fatal") result.added = this.probe(fn).ib.name;
      if (kind === "vf-migrate") {
        result.added = this.probe(this.newFunction(`0000:03:00.${this.nextVf++}`, true)).ib.name;
      }
    });
    result.waitingFor = waiting;
    if (waiting > 0) this.pending.push(result);
    // Readers the DEVICE_FATAL events woke finish their reads now.
    this.machine.sched.tick();
    return result;
  }

  /**
   * Frames the RDMA drivers hold references on that no PTE, cache or pin
   * accounts for: dummy pages, and pages of umems pinned as plain
   * references (gup.pinModel = get). For `check`.
   */
  heldPages(): number[] {
    const out: number[] = [];
    for (const dev of this.devices) {
      for (const f of dev.files) {
        for (const pfn of f.dummyPages.values()) out.push(pfn);
        for (const u of f.uobjects) {
          if (u.destroyed || u.data.kind === "pd" || u.data.kind === "async_event") continue;
          for (const pg of u.data.umem.pages) if (!pg.pinned) out.push(pg.pfn);
        }
      }
    }
    return out;
  }
}
