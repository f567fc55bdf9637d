/**
 * The machine's PCI hierarchy: built from a {@link PciConfig} the way the
 * kernel enumerates at boot (drivers/pci/probe.c pci_scan_child_bus ->
 * pci_scan_bridge: depth first, each bridge's secondary bus the next free
 * number, its subordinate the last bus below it), then BARs sized and
 * assigned from the host bridge window (drivers/pci/setup-bus.c
 * pbus_size_mem + __assign_resources_sorted: largest alignment first,
 * bridge windows in 1 MiB units) and shown in /proc/iomem.
 *
 * Simplifications, stated: one 64-bit memory window per bridge (real
 * bridges also have a 32-bit non-prefetchable one, which is why real
 * non-prefetchable BARs sit below 4 GiB; mmlab's RAM has no hole there),
 * so `mem32` BARs are refused; I/O BARs get port numbers but no CPU path.
 * @module
 */

import type { Dmesg } from "../dmesg.ts";
import type { EventLog } from "../events.ts";
import type { FrameTable } from "../phys/frames.ts";
import type { TimerQueue } from "../sched/hrtimer.ts";
import type { VirtualClock } from "../util/clock.ts";
import type { IomemTree, Resource } from "../phys/iomem.ts";
import type { BarSpec } from "./bar.ts";
import type { PciConfig, PciNodeConfig } from "./config.ts";
import { type FunctionIds, PciDev } from "./device.ts";
import { barMmio, unclaimedMmio } from "./mmio.ts";
import { DmaEngine } from "./dma.ts";
import { Iommu } from "./iommu.ts";
import type { KnobName, KnobValue } from "../policy.ts";
import {
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_INTERRUPT_PIN,
} from "./regs.ts";

/** What the PCI model needs from its machine. */
export interface PciEnv {
  /** The virtual clock (DMA timing, fault timestamps). */
  readonly clock: VirtualClock;
  /** The kernel log PCI messages go to. */
  readonly dmesg: Dmesg;
  /** /proc/iomem: BARs and bridge windows are requested here. */
  readonly iomem: IomemTree;
  /** The host bridge window BARs are assigned from. */
  readonly pciWindow: Resource;
  /** RAM, for DMA. */
  readonly frames: FrameTable;
  /** DMA completions are timers on the virtual clock. */
  readonly sched: { readonly timers: TimerQueue };
  /** The machine's event log (DMA completions are emitted there). */
  readonly events: EventLog;
  /** A policy knob's value now (Machine.policy). */
  policy<K extends KnobName>(name: K): KnobValue<K>;
}

const MB = 1 << 20;
const CLASS_BRIDGE_PCI = 0x060400;
const CLASS_HOST_BRIDGE = 0x060000;
/** The first I/O port handed to I/O BARs. */
const IO_BASE = 0xe000;

function isPow2(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** A range to place in a bus window: a BAR, a PF's IOV resource, or a bridge window. */
interface Item {
  size: number;
  align: number;
  place: (addr: number, parent: Resource) => void;
}

/** The PCI hierarchy of one machine. */
export class PciTopology {
  /** Every function, bridges included, in (bus, devfn) order as lspci sorts. */
  readonly devices: PciDev[] = [];
  /** 00:00.0. */
  readonly hostBridge: PciDev;
  /** Functions on bus 0 (the host bridge and root ports). */
  readonly rootBus: PciDev[] = [];
  /** The DMA remapping unit. */
  readonly iommu: Iommu;
  /** Set once an unclaimed access escalated (`hw.mmioUnclaimed=host-fatal`): what happened. */
  hostFatal: string | null = null;
  private nextIo = IO_BASE;
  private readonly engines = new Map<PciDev, DmaEngine>();

  /** Enumerates `config` below a host bridge at 00:00.0, as firmware would leave it. */
  constructor(readonly env: PciEnv, config: PciConfig) {
    this.iommu = new Iommu(this);
    const hb = config.hostBridge ?? { vendor: 0x8086, device: 0x2020, rev: 4 };
    this.hostBridge = new PciDev(0, 0, 0, 0, {
      vendor: hb.vendor,
      device: hb.device,
      classCode: CLASS_HOST_BRIDGE,
      rev: hb.rev ?? 0,
      subVendor: 0,
      subDevice: 0,
    }, 0);
    this.hostBridge.name = "host";
    this.hostBridge.config[PCI_INTERRUPT_PIN] = 0;
    this.rootBus.push(this.hostBridge);
    this.build(config);
    env.pciWindow.mmio = unclaimedMmio(this, env.pciWindow);
  }

  /** The function at `bdf` (`0000:03:00.0` or `03:00.0`), or undefined. */
  find(bdf: string): PciDev | undefined {
    const full = /^[0-9a-f]{4}:/i.test(bdf) ? bdf.toLowerCase() : `0000:${bdf.toLowerCase()}`;
    return this.devices.find((d) => d.bdf === full && d.state !== "removed");
  }

  /** The function's DMA engine (made on first use). */
  dma(dev: PciDev): DmaEngine {
    let e = this.engines.get(dev);
    if (e === undefined) this.engines.set(dev, e = new DmaEngine(this, dev));
    return e;
  }

  /** The DMA engines made so far, in function order. */
  dmaEngines(): DmaEngine[] {
    return [...this.engines.values()].sort((a, b) => a.dev.rid - b.dev.rid);
  }

  /** Functions still on the bus (not removed), in lspci order. */
  present(): PciDev[] {
    return this.devices.filter((d) => d.state !== "removed");
  }

  /**
   * Creates the configured functions, numbers the buses depth first, assigns
   * BARs and windows, sets the COMMAND bits and enables the boot VFs.
   */
  private build(config: PciConfig): void {
    const byName = new Map<string, PciDev>();
    byName.set("host", this.hostBridge);
    const ports = new Map<string, PciDev[]>();
    const ids = (n: PciNodeConfig, cls: number): FunctionIds => ({
      vendor: n.vendor,
      device: n.device,
      classCode: cls,
      rev: n.rev ?? 0,
      subVendor: n.subVendor ?? 0,
      subDevice: n.subDevice ?? 0,
    });
    const parentOf = (n: PciNodeConfig): PciDev => {
      const m = /^(.*)\.(\d+)$/.exec(n.at);
      if (m !== null && ports.has(m[1])) {
        const p = ports.get(m[1])![Number(m[2])];
        if (p === undefined) {
          throw new Error(`${n.name}: switch ${m[1]} has no downstream port ${m[2]}`);
        }
        return p;
      }
      const p = byName.get(n.at);
      if (p === undefined || !p.isBridge || ports.has(n.at)) {
        throw new Error(
          `${n.name}: at=${n.at} names no root port or switch downstream port (SWITCH.N)`,
        );
      }
      return p;
    };
    const attach = (parent: PciDev, d: PciDev) => {
      if (parent.children.some((c) => c.dev === d.dev && c.fn === d.fn)) {
        throw new Error(`${d.name}: ${parent.name} already has a function at ${d.dev}.${d.fn}`);
      }
      d.upstream = parent;
      parent.children.push(d);
      parent.children.sort((a, b) => a.dev * 8 + a.fn - (b.dev * 8 + b.fn));
    };
    const withBars = (d: PciDev, bars: readonly BarSpec[] | undefined, who: string) => {
      const used = new Set<number>();
      for (const b of bars ?? []) {
        checkBar(b, who);
        const slots = b.kind === "mem64" ? [b.index, b.index + 1] : [b.index];
        for (const s of slots) {
          if (used.has(s)) throw new Error(`${who}: BAR${b.index} overlaps another BAR`);
          used.add(s);
        }
        d.addBar(b);
      }
    };
    for (const n of config.nodes) {
      if (!/^[A-Za-z][\w-]*$/.test(n.name) || n.name === "host") {
        throw new Error(`node name ${JSON.stringify(n.name)}: use letters, digits, - or _`);
      }
      if (byName.has(n.name)) throw new Error(`${n.name}: the name is used twice`);
      for (const [k, v] of [["vendor", n.vendor], ["device", n.device]] as const) {
        if (!Number.isInteger(v) || v < 0 || v > 0xfffe) throw new Error(`${n.name}: bad ${k} ID`);
      }
      if (n.kind === "root-port") {
        const m = /^([0-9a-f]{1,2})\.([0-7])$/i.exec(n.at);
        if (m === null) throw new Error(`${n.name}: a root port's at= is a slot on bus 00 (01.0)`);
        const dev = parseInt(m[1], 16), fn = Number(m[2]);
        if (dev > 31) throw new Error(`${n.name}: device number ${m[1]} is above 1f`);
        if (this.rootBus.some((d) => d.dev === dev && d.fn === fn)) {
          throw new Error(`${n.name}: slot 00:${n.at} is taken`);
        }
        const d = new PciDev(0, 0, dev, fn, ids(n, CLASS_BRIDGE_PCI), 1);
        d.name = n.name;
        this.rootBus.push(d);
        this.rootBus.sort((a, b) => a.dev * 8 + a.fn - (b.dev * 8 + b.fn));
        byName.set(n.name, d);
      } else if (n.kind === "switch") {
        const parent = parentOf(n);
        const up = new PciDev(0, 0, 0, 0, ids(n, CLASS_BRIDGE_PCI), 1);
        up.name = n.name;
        attach(parent, up);
        const count = n.ports ?? 2;
        if (!Number.isInteger(count) || count < 1 || count > 24) {
          throw new Error(`${n.name}: ports=${count}: a switch has 1 to 24 downstream ports`);
        }
        const downs: PciDev[] = [];
        for (let i = 0; i < count; i++) {
          // PLX switches put downstream port i at device 8 + i.
          const dp = new PciDev(0, 0, 8 + i, 0, ids(n, CLASS_BRIDGE_PCI), 1);
          dp.name = `${n.name}.${i}`;
          attach(up, dp);
          downs.push(dp);
        }
        byName.set(n.name, up);
        ports.set(n.name, downs);
      } else {
        const parent = parentOf(n);
        const fn = n.fn ?? 0;
        if (!Number.isInteger(fn) || fn < 0 || fn > 7) throw new Error(`${n.name}: fn is 0 to 7`);
        const d = new PciDev(0, 0, 0, fn, ids(n, n.classCode ?? 0xff0000), 0);
        d.name = n.name;
        withBars(d, n.bars, n.name);
        d.nativeDriver = n.driver ?? null;
        if (n.sriov !== undefined) {
          const s = n.sriov;
          if (!Number.isInteger(s.totalVfs) || s.totalVfs < 1 || s.totalVfs > 7 - fn) {
            throw new Error(`${n.name}: totalVfs must be 1 to ${7 - fn} (no ARI)`);
          }
          if (!Number.isInteger(s.numVfs) || s.numVfs < 0 || s.numVfs > s.totalVfs) {
            throw new Error(`${n.name}: numVfs must be 0 to totalVfs`);
          }
          for (const b of s.vfBars) checkBar(b, `${n.name} VF`);
          d.sriov = {
            totalVfs: s.totalVfs,
            numVfs: 0,
            offset: 1,
            stride: 1,
            vfDevice: s.vfDevice,
            vfBars: s.vfBars,
            iovRes: s.vfBars.map(() => null),
          };
        }
        attach(parent, d);
        byName.set(n.name, d);
      }
    }
    // Bus numbers, depth first (pci_scan_bridge).
    let next = 1;
    const number = (bridge: PciDev, bus: number) => {
      const sec = next++;
      for (const c of bridge.children) c.bus = sec;
      for (const c of bridge.children) if (c.isBridge) number(c, sec);
      bridge.setBusNumbers(bus, sec, next - 1);
    };
    for (const d of this.rootBus) if (d.isBridge) number(d, 0);
    if (next > 256) throw new Error("the topology needs more than 256 buses");
    // Resources, then the command registers firmware leaves set.
    this.assign(this.rootBus, this.env.pciWindow);
    const all: PciDev[] = [];
    const walk = (d: PciDev) => {
      all.push(d);
      for (const c of d.children) walk(c);
    };
    for (const d of this.rootBus) walk(d);
    for (const d of all) {
      // Firmware leaves bridges forwarding and endpoints decoding the BARs it
      // assigned (so a driver's pci_enable_device at boot changes nothing).
      if (d.isBridge) d.setCommand(PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
      else d.setCommand(PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
      this.devices.push(d);
    }
    this.sortDevices();
    for (const d of this.devices) this.iommu.group(d);
    for (const d of all) {
      if (d.sriov !== null) this.setNumVfs(d, findNode(config, d.name)!.sriov!.numVfs);
    }
  }

  /**
   * Sizes and places everything on the root bus at the top of `window`
   * (x86 allocates 64-bit ranges top down, so BARs sit high in the host
   * bridge window and its low end stays free).
   */
  private assign(bus: readonly PciDev[], window: Resource): void {
    const items = this.items(bus);
    if (items.length === 0) return;
    let span = 0;
    for (const it of items) span = alignUp(span, it.align) + it.size;
    const top = items[0].align;
    let at = Math.floor((window.end + 1 - span) / top) * top;
    if (at < window.start) throw new Error("the PCI devices do not fit the host bridge window");
    for (const it of items) {
      at = alignUp(at, it.align);
      it.place(at, window);
      at += it.size;
    }
  }

  /** The ranges a bus needs, largest alignment first (pbus_size_mem). */
  private items(bus: readonly PciDev[]): Item[] {
    const out: Item[] = [];
    for (const d of bus) {
      for (const b of d.bars) {
        if (b === null) continue;
        if (b.kind === "io") {
          b.addr = alignUp(this.nextIo, b.size);
          this.nextIo = b.addr + b.size;
          d.writeBarRegister(b);
          continue;
        }
        out.push({
          size: b.size,
          align: b.size,
          place: (addr, parent) => {
            b.addr = addr;
            d.writeBarRegister(b);
            b.res = this.request(parent, d.bdf, addr, b.size);
            b.res.mmio = barMmio(this, d, b);
          },
        });
      }
      const s = d.sriov;
      if (s !== null) {
        s.vfBars.forEach((vb, k) => {
          out.push({
            size: vb.size * s.totalVfs,
            align: vb.size,
            place: (addr, parent) => {
              const iov = this.request(parent, d.bdf, addr, vb.size * s.totalVfs);
              // VF BARs not (yet) populated answer nothing.
              iov.mmio = unclaimedMmio(this, iov);
              s.iovRes[k] = iov;
            },
          });
        });
      }
      if (d.isBridge) {
        const inner = this.items(d.children);
        if (inner.length === 0) continue;
        let size = 0, align = MB;
        for (const it of inner) {
          size = alignUp(size, it.align) + it.size;
          align = Math.max(align, it.align);
        }
        out.push({
          size: alignUp(size, MB),
          align,
          place: (addr, parent) => {
            d.window = this.request(
              parent,
              `PCI Bus ${d.bdf.slice(0, 5)}${d.secondary.toString(16).padStart(2, "0")}`,
              addr,
              alignUp(size, MB),
            );
            // Where no BAR below claims the address, the bridge answers UR.
            d.window.mmio = unclaimedMmio(this, d.window);
            let at = addr;
            for (const it of inner) {
              at = alignUp(at, it.align);
              it.place(at, d.window);
              at += it.size;
            }
          },
        });
      }
    }
    // Stable: equal alignments keep (bus, devfn, BAR) order.
    return out.sort((a, b) => b.align - a.align);
  }

  /** Requests [start, start+size) under `parent` in /proc/iomem; throws when it does not fit. */
  private request(parent: Resource, name: string, start: number, size: number): Resource {
    const r = this.env.iomem.request(parent, name, start, size);
    if (typeof r === "number") {
      throw new Error(`${name}: no room for ${size} bytes at ${start.toString(16)} (${r})`);
    }
    return r;
  }

  /** Keeps `devices` in routing-ID (lspci) order. */
  private sortDevices(): void {
    this.devices.sort((a, b) => a.rid - b.rid);
  }

  /**
   * sriov_numvfs: enables `n` VFs of a PF (or disables them all with 0),
   * as drivers/pci/iov.c sriov_enable()/sriov_disable() do: VFs appear at
   * PF RID + offset + i * stride with BARs carved from the PF's IOV
   * resources. Returns the VFs created. Binding them is the driver
   * core's job (lib/drivers/core).
   */
  setNumVfs(pf: PciDev, n: number): PciDev[] {
    const s = pf.sriov;
    if (s === null) throw new Error(`${pf.bdf} has no SR-IOV capability`);
    for (const vf of pf.vfs.splice(0)) this.removeFunction(vf);
    s.numVfs = 0;
    const made: PciDev[] = [];
    for (let i = 0; i < n; i++) made.push(this.makeVf(pf, i));
    s.numVfs = n;
    this.sortDevices();
    return made;
  }

  /**
   * A VF appearing at the PF's lowest free VF index (after one was removed
   * for a VM migration), or null when all totalVfs are there.
   */
  addVf(pf: PciDev): PciDev | null {
    const s = pf.sriov;
    if (s === null) return null;
    for (let i = 0; i < s.totalVfs; i++) {
      const rid = pf.rid + s.offset + i * s.stride;
      if (pf.vfs.some((v) => v.rid === rid)) continue;
      const vf = this.makeVf(pf, i);
      this.sortDevices();
      return vf;
    }
    return null;
  }

  /** Creates VF `i` of `pf` at PF RID + offset + i * stride, with its BARs. */
  private makeVf(pf: PciDev, i: number): PciDev {
    const s = pf.sriov!;
    const rid = pf.rid + s.offset + i * s.stride;
    const vf = new PciDev(pf.domain, rid >> 8, (rid >> 3) & 31, rid & 7, {
      ...pf.ids,
      device: s.vfDevice,
    }, 0);
    vf.physfn = pf;
    vf.nativeDriver = pf.nativeDriver;
    s.vfBars.forEach((vb, k) => {
      const b = vf.addBar(vb);
      const iov = s.iovRes[k];
      if (iov === null) return;
      b.addr = iov.start + i * vb.size;
      vf.writeBarRegister(b);
      b.res = this.request(iov, vf.bdf, b.addr, vb.size);
      b.res.mmio = barMmio(this, vf, b);
    });
    vf.setCommand(PCI_COMMAND_MASTER);
    vf.upstream = pf.upstream;
    pf.upstream?.children.push(vf);
    pf.upstream?.children.sort((a, b) => a.rid - b.rid);
    pf.vfs.push(vf);
    pf.vfs.sort((a, b) => a.rid - b.rid);
    this.devices.push(vf);
    return vf;
  }

  /**
   * The function leaves the bus (surprise removal, VF disable): state
   * removed, its BAR ranges released from /proc/iomem (pci_stop_and_remove_bus_device
   * -> pci_release_dev). Its accesses go unclaimed from now on.
   */
  removeFunction(d: PciDev): void {
    d.state = "removed";
    for (const b of d.bars) {
      if (b?.res) {
        b.res.mmio = null;
        this.env.iomem.release(b.res);
        b.res = null;
      }
    }
    const s = d.sriov;
    if (s !== null) {
      for (const vf of d.vfs.splice(0)) this.removeFunction(vf);
      s.iovRes.forEach((r, k) => {
        if (r !== null) this.env.iomem.release(r);
        s.iovRes[k] = null;
      });
    }
    if (d.upstream !== null) {
      const i = d.upstream.children.indexOf(d);
      if (i >= 0) d.upstream.children.splice(i, 1);
    }
    const j = this.devices.indexOf(d);
    if (j >= 0) this.devices.splice(j, 1);
  }
}

function findNode(c: PciConfig, name: string): PciNodeConfig | undefined {
  return c.nodes.find((n) => n.name === name);
}

function checkBar(b: BarSpec, who: string): void {
  if (!Number.isInteger(b.index) || b.index < 0 || b.index > 5) {
    throw new Error(`${who}: BAR index ${b.index} is not 0 to 5`);
  }
  if (b.kind === "mem32") {
    throw new Error(
      `${who}: BAR${b.index} mem32: mmlab has no 32-bit PCI window (RAM has no hole below ` +
        `4 GiB); use mem64`,
    );
  }
  if (b.kind === "mem64" && b.index === 5) throw new Error(`${who}: a mem64 BAR cannot be BAR5`);
  const min = b.kind === "io" ? 4 : 4096;
  const max = b.kind === "io" ? 256 : 2 ** 37;
  if (!isPow2(b.size) || b.size < min || b.size > max) {
    throw new Error(`${who}: BAR${b.index} size ${b.size}: a power of two from ${min} to ${max}`);
  }
  if (b.kind === "io" && b.prefetch) throw new Error(`${who}: an I/O BAR is not prefetchable`);
}
