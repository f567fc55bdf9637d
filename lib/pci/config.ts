/**
 * What a machine's PCI hardware is made of: the TypeScript shape a
 * {@link MachineConfig} takes (`pci`), and the default topology a fresh
 * machine boots with. lib/pci/config_file.ts reads the same shape from
 * text; lib/pci/topology.ts builds the functions from it.
 *
 * The default (lspci -t):
 * ```
 * -[0000:00]-+-00.0                    host bridge
 *            +-01.0-[01-04]----00.0-[02-04]--+-08.0-[03]--+-00.0  ConnectX-5 PF (mlx5_core)
 *            |                               |            \-00.1  ConnectX-5 VF (mlx5_core)
 *            |                               \-09.0-[04]----00.0  A100 GPU (nvidia)
 *            +-02.0-[05]----00.0           82599ES NIC (ixgbe; for vfio)
 *            \-03.0-[06]----00.0           NVMe SSD (nvme)
 * ```
 * The NIC and the GPU share a PCIe switch (peer-to-peer without the root
 * complex, for the HMM issue); the 82599ES has a root port of its own.
 * @module
 */

import type { BarSpec } from "./bar.ts";

/** One root port, switch or endpoint function. */
export interface PciNodeConfig {
  /** A root port, a switch (upstream plus downstream ports), or an endpoint. */
  kind: "root-port" | "switch" | "endpoint";
  /** A name other nodes refer to in `at` (letters, digits, - and _). */
  name: string;
  /**
   * Where it sits. A root port: its slot on bus 00 (`01.0`). A switch or
   * an endpoint: the name of a root port, or `SWITCH.N` for the switch's
   * downstream port N (0-based).
   */
  at: string;
  /** Vendor ID (PCI_VENDOR_ID). */
  vendor: number;
  /** Device ID (PCI_DEVICE_ID). */
  device: number;
  /** Revision ID (default 0). */
  rev?: number;
  /** Class, subclass and prog-if (24 bits); bridges are always 0x060400. */
  classCode?: number;
  /** Subsystem vendor ID (type 0 header; default 0). */
  subVendor?: number;
  /** Subsystem ID (type 0 header; default 0). */
  subDevice?: number;
  /** An endpoint's function number under its port (default 0). */
  fn?: number;
  /** The driver bound at boot (a name from lib/drivers; none when absent). */
  driver?: string;
  /** An endpoint's BARs (none when absent). */
  bars?: BarSpec[];
  /** A switch: how many downstream ports (default 2). */
  ports?: number;
  /** An SR-IOV PF. */
  sriov?: { totalVfs: number; numVfs: number; vfDevice: number; vfBars: BarSpec[] };
}

/** The host bridge (00:00.0) and the nodes below it, in configuration order. */
export interface PciConfig {
  /** IDs of the host bridge at 00:00.0 (a default when absent). */
  hostBridge?: { vendor: number; device: number; rev?: number };
  /** Root ports, switches and endpoints, each after the node it sits under. */
  nodes: PciNodeConfig[];
}

const M = 1 << 20;

/** The topology a machine has when its configuration names none. */
export const DEFAULT_PCI: PciConfig = {
  hostBridge: { vendor: 0x8086, device: 0x2020, rev: 0x04 },
  nodes: [
    { kind: "root-port", name: "rp1", at: "01.0", vendor: 0x8086, device: 0x2030, rev: 0x04 },
    { kind: "switch", name: "sw", at: "rp1", vendor: 0x10b5, device: 0x8747, rev: 0xca, ports: 2 },
    {
      kind: "endpoint",
      name: "mlx",
      at: "sw.0",
      vendor: 0x15b3,
      device: 0x1017,
      classCode: 0x020000,
      subVendor: 0x15b3,
      subDevice: 0x0007,
      driver: "mlx5_core",
      bars: [{ index: 0, kind: "mem64", size: 32 * M, prefetch: true }],
      sriov: {
        totalVfs: 4,
        numVfs: 1,
        vfDevice: 0x1018,
        vfBars: [{ index: 0, kind: "mem64", size: 1 * M, prefetch: true }],
      },
    },
    {
      kind: "endpoint",
      name: "gpu",
      at: "sw.1",
      vendor: 0x10de,
      device: 0x20f1,
      rev: 0xa1,
      classCode: 0x030200,
      subVendor: 0x10de,
      subDevice: 0x145f,
      driver: "nvidia",
      bars: [
        { index: 0, kind: "mem64", size: 16 * M, prefetch: false },
        { index: 2, kind: "mem64", size: 64 * 1024 * M, prefetch: true },
        { index: 4, kind: "mem64", size: 32 * M, prefetch: true },
      ],
    },
    { kind: "root-port", name: "rp2", at: "02.0", vendor: 0x8086, device: 0x2031, rev: 0x04 },
    {
      kind: "endpoint",
      name: "nic",
      at: "rp2",
      vendor: 0x8086,
      device: 0x10fb,
      rev: 0x01,
      classCode: 0x020000,
      subVendor: 0x8086,
      subDevice: 0x0003,
      driver: "ixgbe",
      bars: [
        { index: 0, kind: "mem64", size: 512 * 1024, prefetch: false },
        { index: 2, kind: "io", size: 32, prefetch: false },
        { index: 4, kind: "mem64", size: 16 * 1024, prefetch: false },
      ],
    },
    { kind: "root-port", name: "rp3", at: "03.0", vendor: 0x8086, device: 0x2032, rev: 0x04 },
    {
      kind: "endpoint",
      name: "nvme",
      at: "rp3",
      vendor: 0x144d,
      device: 0xa80a,
      classCode: 0x010802,
      subVendor: 0x144d,
      subDevice: 0xa801,
      driver: "nvme",
      bars: [{ index: 0, kind: "mem64", size: 16 * 1024, prefetch: false }],
    },
  ],
};
