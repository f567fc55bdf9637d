/**
 * A PCI function (`struct pci_dev`): its place (domain:bus:device.function),
 * IDs, a real configuration space, BARs, SR-IOV relations, its state as
 * hardware (present, frozen by an uncorrectable error, removed), and the
 * driver bound to it. Bridges (root ports, switch ports) are functions too,
 * with a type 1 header and the buses below them.
 *
 * The COMMAND register is real: MEMORY (0x2) gates the function's memory
 * BARs, MASTER (0x4) its DMA, IO (0x1) its I/O BARs. Bits a function does
 * not implement read 0 and ignore writes (a function without I/O BARs has
 * no IO bit; an SR-IOV VF has no MEMORY bit: its memory decode is the PF's
 * "VF Memory Space Enable", on while VFs exist).
 * @module
 */

import { Bar, type BarSpec } from "./bar.ts";
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_CACHE_LINE_SIZE,
  PCI_CFG_SPACE_EXP_SIZE,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_SERR,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_INTERRUPT_PIN,
  PCI_PRIMARY_BUS,
  PCI_REVISION_ID,
  PCI_SECONDARY_BUS,
  PCI_STATUS,
  PCI_SUBORDINATE_BUS,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
} from "./regs.ts";
import type { Resource } from "../phys/iomem.ts";

/** Hardware state of a function (devices.md §2.1). */
export type FunctionState = "present" | "frozen" | "removed";

/** What sits in a function's `driver` slot: lib/drivers/core's driver, seen from the bus. */
export interface BoundDriver {
  /** The driver's name (`mlx5_core`, `vfio-pci`, ...). */
  readonly name: string;
}

/** One write the function's registers received (the doorbell log). */
export interface DoorbellEntry {
  /** Virtual time of the write (ns). */
  ns: number;
  /** Which BAR was written (0..5). */
  bar: number;
  /** Byte offset in the BAR. */
  offset: number;
  /** The bytes written, in order. */
  bytes: readonly number[];
}

/** How many doorbell entries a function keeps (the newest; `doorbellWrites` counts all). */
export const DOORBELL_LOG_MAX = 256;

/** SR-IOV capability state of a PF (drivers/pci/iov.c `struct pci_sriov`). */
export interface Sriov {
  /** TotalVFs: the most VFs the PF supports. */
  totalVfs: number;
  /** Enabled VFs (sriov_numvfs). */
  numVfs: number;
  /** First VF Offset and VF Stride, in routing IDs. */
  offset: number;
  /** VF Stride: routing-ID step between consecutive VFs. */
  stride: number;
  /** VF Device ID. */
  vfDevice: number;
  /** A VF's BARs (the PF's IOV resources hold totalVfs of each). */
  vfBars: readonly BarSpec[];
  /** The PF's IOV resources, one per VF BAR, sized totalVfs * BAR size. */
  iovRes: (Resource | null)[];
}

/** What a function is built from (see lib/pci/topology.ts). */
export interface FunctionIds {
  /** Vendor ID. */
  vendor: number;
  /** Device ID. */
  device: number;
  /** 24 bits: class, subclass, prog-if. */
  classCode: number;
  /** Revision ID. */
  rev: number;
  /** Subsystem vendor ID. */
  subVendor: number;
  /** Subsystem ID. */
  subDevice: number;
}

/** `struct pci_dev`: one function: config space, BARs, place in the hierarchy, driver. */
export class PciDev {
  /** The configuration space bytes (4 KiB, PCIe extended). */
  readonly config: Uint8Array = new Uint8Array(PCI_CFG_SPACE_EXP_SIZE);
  /** BAR0..BAR5; null for an unused slot or the upper half of a 64-bit BAR. */
  readonly bars: (Bar | null)[] = [null, null, null, null, null, null];
  /** Hardware state: present, frozen (link down after an uncorrectable error) or removed. */
  state: FunctionState = "present";
  /** The bridge whose secondary bus this function sits on; null on bus 0. */
  upstream: PciDev | null = null;
  /** Type 1 functions: the functions on the secondary bus, in devfn order. */
  readonly children: PciDev[] = [];
  /** Type 1 functions: the memory window (/proc/iomem `PCI Bus 0000:NN`). */
  window: Resource | null = null;
  /** SR-IOV: the PF of a VF. */
  physfn: PciDev | null = null;
  /** SR-IOV: a PF's enabled VFs. */
  readonly vfs: PciDev[] = [];
  /** SR-IOV capability state; null when the function is not a PF. */
  sriov: Sriov | null = null;
  /** The driver bound (dev->driver), set by lib/drivers/core. */
  driver: BoundDriver | null = null;
  /** /sys/bus/pci/devices/BDF/driver_override, null when unset. */
  driverOverride: string | null = null;
  /** The driver the machine binds at boot (modules.alias match), if any. */
  nativeDriver: string | null = null;
  /** The doorbell log: the newest {@link DOORBELL_LOG_MAX} writes. */
  readonly doorbells: DoorbellEntry[] = [];
  /** Every register write since boot. */
  doorbellWrites = 0;
  /** A name for configuration files (`mlx`), empty for VFs made at run time. */
  name = "";

  /** A function at domain:bus:dev.fn with `ids` and header type 0 (endpoint) or 1 (bridge). */
  constructor(
    readonly domain: number,
    public bus: number,
    readonly dev: number,
    readonly fn: number,
    readonly ids: FunctionIds,
    readonly headerType: 0 | 1,
  ) {
    const c = this.config;
    const w16 = (o: number, v: number) => {
      c[o] = v & 0xff;
      c[o + 1] = (v >> 8) & 0xff;
    };
    w16(PCI_VENDOR_ID, ids.vendor);
    w16(PCI_DEVICE_ID, ids.device);
    c[PCI_REVISION_ID] = ids.rev;
    c[PCI_CLASS_PROG] = ids.classCode & 0xff;
    w16(PCI_CLASS_PROG + 1, ids.classCode >> 8);
    c[PCI_HEADER_TYPE] = headerType;
    c[PCI_CACHE_LINE_SIZE] = 0x10; // 64 bytes, as firmware leaves it
    // No capability list is modelled: Status shows Cap-.
    w16(PCI_STATUS, 0);
    if (headerType === 0) {
      w16(PCI_SUBSYSTEM_VENDOR_ID, ids.subVendor);
      w16(PCI_SUBSYSTEM_ID, ids.subDevice);
      c[PCI_INTERRUPT_PIN] = 1;
    }
  }

  /** `0000:03:00.0` (pci_name). */
  get bdf(): string {
    return `${this.domain.toString(16).padStart(4, "0")}:${this.slot}`;
  }

  /** `03:00.0`, as lspci prints it without domains. */
  get slot(): string {
    const h2 = (n: number) => n.toString(16).padStart(2, "0");
    return `${h2(this.bus)}:${h2(this.dev)}.${this.fn.toString(16)}`;
  }

  /** Routing ID: bus << 8 | devfn. */
  get rid(): number {
    return (this.bus << 8) | (this.dev << 3) | this.fn;
  }

  /** pci_dev->is_virtfn: an SR-IOV VF. */
  get isVirtfn(): boolean {
    return this.physfn !== null;
  }

  /** A type 1 header: a PCI-to-PCI bridge (root port or switch port). */
  get isBridge(): boolean {
    return this.headerType === PCI_HEADER_TYPE_BRIDGE;
  }

  /** The 16-bit COMMAND register. */
  get command(): number {
    return this.config[PCI_COMMAND] | (this.config[PCI_COMMAND + 1] << 8);
  }

  /** The COMMAND bits this function implements (others are read-only 0). */
  get commandMask(): number {
    let m = PCI_COMMAND_MASTER | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;
    // A VF's Memory Space Enable is hardwired 0 (PCIe SR-IOV spec 3.4.1.3).
    if (!this.isVirtfn && (this.isBridge || this.bars.some((b) => b?.isMem))) {
      m |= PCI_COMMAND_MEMORY;
    }
    if (this.isBridge || this.bars.some((b) => b?.kind === "io")) m |= PCI_COMMAND_IO;
    return m;
  }

  /** Writes the COMMAND register (unimplemented bits stay 0); returns the old value. */
  setCommand(v: number): number {
    const old = this.command;
    const nv = v & this.commandMask;
    this.config[PCI_COMMAND] = nv & 0xff;
    this.config[PCI_COMMAND + 1] = (nv >> 8) & 0xff;
    return old;
  }

  /**
   * Whether the function decodes memory accesses to its BARs now: it is
   * present, and MEMORY is set (a VF: its PF has VF MSE on, i.e. VFs
   * enabled, and the PF is present) on it and on every bridge above it.
   */
  decodesMemory(): boolean {
    if (this.state !== "present") return false;
    if (this.isVirtfn) {
      const pf = this.physfn!;
      if (pf.state !== "present" || (pf.sriov?.numVfs ?? 0) === 0) return false;
    } else if (!(this.command & PCI_COMMAND_MEMORY)) return false;
    for (let b = this.upstream; b !== null; b = b.upstream) {
      if (b.state !== "present" || !(b.command & PCI_COMMAND_MEMORY)) return false;
    }
    return true;
  }

  /** Whether the function may master DMA now (MASTER set and present). */
  mastersDma(): boolean {
    return this.state === "present" && (this.command & PCI_COMMAND_MASTER) !== 0;
  }

  /** Bridge bus numbers into the type 1 header. */
  setBusNumbers(primary: number, secondary: number, subordinate: number): void {
    this.config[PCI_PRIMARY_BUS] = primary;
    this.config[PCI_SECONDARY_BUS] = secondary;
    this.config[PCI_SUBORDINATE_BUS] = subordinate;
  }

  /** Secondary bus number (PCI_SECONDARY_BUS). */
  get secondary(): number {
    return this.config[PCI_SECONDARY_BUS];
  }

  /** Subordinate bus number (PCI_SUBORDINATE_BUS). */
  get subordinate(): number {
    return this.config[PCI_SUBORDINATE_BUS];
  }

  /** Adds a BAR and writes its type bits into the BAR register(s). */
  addBar(spec: BarSpec): Bar {
    const b = new Bar(spec.index, spec.kind, spec.size, spec.prefetch);
    this.bars[spec.index] = b;
    this.writeBarRegister(b);
    return b;
  }

  /** The BAR register(s) of `b`: address | flags (pci_regs.h PCI_BASE_ADDRESS_*). */
  writeBarRegister(b: Bar): void {
    const o = PCI_BASE_ADDRESS_0 + 4 * b.index;
    let lo: number;
    if (b.kind === "io") lo = (b.addr & ~3) | PCI_BASE_ADDRESS_SPACE_IO;
    else {
      lo = (b.addr % 2 ** 32) & ~0xf;
      if (b.kind === "mem64") lo |= PCI_BASE_ADDRESS_MEM_TYPE_64;
      if (b.prefetch) lo |= PCI_BASE_ADDRESS_MEM_PREFETCH;
    }
    this.w32(o, lo >>> 0);
    if (b.kind === "mem64") this.w32(o + 4, Math.floor(b.addr / 2 ** 32));
  }

  /** A little-endian config read of 1, 2 or 4 bytes. */
  configRead(off: number, len: 1 | 2 | 4): number {
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + this.config[off + i];
    return v;
  }

  /** Writes a little-endian 32-bit value at config offset `o`. */
  private w32(o: number, v: number): void {
    for (let i = 0; i < 4; i++) this.config[o + i] = (v >>> (8 * i)) & 0xff;
  }

  /** Appends a register write to the doorbell log. */
  logWrite(ns: number, bar: number, offset: number, bytes: Uint8Array): void {
    this.doorbellWrites++;
    this.doorbells.push({ ns, bar, offset, bytes: [...bytes] });
    if (this.doorbells.length > DOORBELL_LOG_MAX) this.doorbells.shift();
  }
}
