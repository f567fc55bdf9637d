/**
 * The machine's RDMA stack: the ib_devices the mlx5 driver registers
 * (`mlx5_N`, the lowest free N, as ib_device_set_name("mlx5_%d") picks),
 * their uverbs char devices (`uverbsN`, the lowest free minor), and
 * libibverbs' state in each process. The PCI side (probe, remove, the
 * fault hooks) is lib/drivers/rdma/mlx5_core.ts.
 * @module
 */

import type { Machine } from "../../machine.ts";
import { MM_PINS, type PinApi, type RdmaFunction } from "./hw.ts";
import { IbDevice, type UverbsDevice } from "./uverbs.ts";
import { Mlx5Ib } from "./mlx5.ts";
import { ibUverbsAddOne, ibUverbsRemoveOne } from "./uverbs_main.ts";
import { Libibverbs, type VerbsProcess } from "./libibverbs.ts";

/** One registered device and what it sits on. */
export interface RdmaSlot {
  /** The hardware function. */
  fn: RdmaFunction;
  /** Its ib_device. */
  ib: IbDevice;
  /** Its uverbs char device. */
  uverbs: UverbsDevice;
}

/** The RDMA core of one machine: registered IB devices, their uverbs char devices and the user-space verbs. */
export class RdmaSubsystem {
  /** Registered devices by uverbs minor. */
  readonly slots: (RdmaSlot | undefined)[] = [];
  /** Every uverbs device made, removed ones too (their files may still be open). */
  readonly devices: UverbsDevice[] = [];
  /** How umems pin and unpin user pages (pin_user_pages by default). */
  pins: PinApi = MM_PINS;
  /** ib_register_device() calls so far (node GUIDs). */
  private registrations = 0;
  /** libibverbs' state in each process that called a verb, by pid. */
  readonly userspace: Map<number, VerbsProcess> = new Map();
  /** The verbs, as a program linked with libibverbs and libmlx5 calls them. */
  readonly verbs: Libibverbs = new Libibverbs(this);

  /** An RDMA core with nothing registered. */
  constructor(readonly machine: Machine) {}

  /** ib_register_device() for a function mlx5 probed, and the uverbs client's add_one. */
  register(fn: RdmaFunction): RdmaSlot {
    const names = new Set(this.slots.map((s) => s?.ib.name));
    let n = 0;
    while (names.has(`mlx5_${n}`)) n++;
    // Node GUIDs as ConnectX firmware gives them (Mellanox OUI ec:0d:9a), one
    // per registration: a reloaded or new function is a new node.
    const guid = 0xec0d9a0300a10000n + BigInt(++this.registrations);
    const ib = new IbDevice(`mlx5_${n}`, new Mlx5Ib(fn), fn, guid);
    let minor = 0;
    while (this.slots[minor] !== undefined) minor++;
    const slot = { fn, ib, uverbs: ibUverbsAddOne(this.machine, ib, minor, this.pins) };
    this.slots[minor] = slot;
    this.devices.push(slot.uverbs);
    return slot;
  }

  /** A registered device by ib name, uverbs name or BDF (`0000:03:00.1` or `03:00.1`). */
  find(target: string): RdmaSlot | undefined {
    return this.slots.find((s) =>
      s !== undefined &&
      (s.ib.name === target || `uverbs${s.uverbs.devnum}` === target || s.fn.bdf === target ||
        s.fn.bdf === `0000:${target}`)
    );
  }

  /**
   * ib_unregister_device() -> ib_uverbs_remove_one(); `then` runs once
   * the removal is complete (at once, or when the last file is released:
   * policy `block`). Returns the files the removal waits for (0: done).
   */
  unregister(slot: RdmaSlot, then: () => void): number {
    return ibUverbsRemoveOne(slot.uverbs, () => {
      slot.ib.registered = false;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = undefined;
      then();
    }).waitingFor;
  }

  /**
   * Frames the RDMA driver holds references on that no PTE, cache or GUP
   * record accounts for: the dummy pages. For `check`.
   */
  heldPages(): number[] {
    const out: number[] = [];
    for (const dev of this.devices) {
      for (const f of dev.files) for (const pfn of f.dummyPages.values()) out.push(pfn);
    }
    return out;
  }
}
