/**
 * A PCI topology as text, one node a line (the same shape as
 * {@link PciConfig}), for `--pci FILE` and scripts:
 *
 * ```
 * # KIND NAME key=value ...            (# starts a comment; blank lines are skipped)
 * host-bridge id=8086:2020 rev=04
 * root-port rp1 at=01.0 id=8086:2030 rev=04
 * switch    sw  at=rp1 id=10b5:8747 rev=ca ports=2
 * endpoint  mlx at=sw.0 id=15b3:1017 class=020000 subsys=15b3:0007 driver=mlx5_core
 *           bar0=mem64,pref,32M vfs=4 numvfs=1 vf-id=1018 vf-bar0=mem64,pref,1M
 * ```
 * (one line in a file; wrapped here). Keys: `at` (a root port: slot on bus
 * 00; otherwise a root port's name or SWITCH.N), `id` VENDOR:DEVICE in hex,
 * `rev`, `class` (6 hex digits), `subsys` VENDOR:DEVICE, `fn`, `driver`,
 * `ports` (switch), `barN=KIND[,pref],SIZE` (KIND mem64 or io; SIZE with
 * K/M/G), SR-IOV: `vfs` (TotalVFs), `numvfs` (enabled at boot), `vf-id`,
 * `vf-barN`. Numbers in hex where lspci prints hex (IDs, rev, class),
 * decimal otherwise. A malformed line is reported as `FILE:LINE: error: ...`.
 * @module
 */

import { Dmesg } from "../dmesg.ts";
import { EventLog } from "../events.ts";
import { FrameTable } from "../phys/frames.ts";
import { TimerQueue } from "../sched/hrtimer.ts";
import { IomemTree, PCI_WINDOW_BASE, PCI_WINDOW_SIZE, type Resource } from "../phys/iomem.ts";
import { VirtualClock } from "../util/clock.ts";
import type { BarKind, BarSpec } from "./bar.ts";
import type { PciConfig, PciNodeConfig } from "./config.ts";
import { PciTopology } from "./topology.ts";

const KINDS = ["host-bridge", "root-port", "switch", "endpoint"] as const;

const KEYS: Record<string, readonly string[]> = {
  "host-bridge": ["id", "rev"],
  "root-port": ["at", "id", "rev"],
  "switch": ["at", "id", "rev", "ports"],
  "endpoint": ["at", "id", "rev", "class", "subsys", "fn", "driver", "vfs", "numvfs", "vf-id"],
};

class LineError extends Error {}

function hexNum(v: string, what: string, max: number): number {
  if (!/^(0x)?[0-9a-f]+$/i.test(v)) throw new LineError(`${what}=${v}: not a hex number`);
  const n = parseInt(v.replace(/^0x/i, ""), 16);
  if (n > max) throw new LineError(`${what}=${v}: above ${max.toString(16)}`);
  return n;
}

function decNum(v: string, what: string): number {
  if (!/^\d+$/.test(v)) throw new LineError(`${what}=${v}: not a decimal number`);
  return Number(v);
}

function idPair(v: string, what: string): [number, number] {
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v);
  if (m === null) throw new LineError(`${what}=${v}: want VENDOR:DEVICE in hex (15b3:1017)`);
  return [parseInt(m[1], 16), parseInt(m[2], 16)];
}

function size(v: string, what: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(v);
  if (m === null) throw new LineError(`${what}: size ${v}: want a number with K, M or G`);
  const mult =
    { "": 1, K: 1024, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * mult;
}

function bar(index: number, v: string, what: string): BarSpec {
  const parts = v.split(",");
  const kind = parts[0] as BarKind;
  if (!["mem64", "mem32", "io"].includes(kind)) {
    throw new LineError(`${what}=${v}: kind must be mem64 or io (mem32: no 32-bit window)`);
  }
  const pref = parts.length === 3 && parts[1] === "pref";
  if (parts.length !== (pref ? 3 : 2)) {
    throw new LineError(`${what}=${v}: want KIND[,pref],SIZE (mem64,pref,32M)`);
  }
  return { index, kind, size: size(parts[parts.length - 1], what), prefetch: pref };
}

/**
 * Parses a topology file. Returns the configuration, or the first error as
 * `FILE:LINE: error: WHAT` (checked as the machine would build it: unknown
 * `at=`, taken slots and bad BARs are reported at their line).
 */
export function parsePciConfig(text: string, file = "pci.conf"): PciConfig | { error: string } {
  const config: PciConfig = { nodes: [] };
  const lineOf = new Map<string, number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const src = lines[i].replace(/#.*/, "").trim();
    if (src === "") continue;
    try {
      const [kind, ...rest] = src.split(/\s+/);
      if (!(KINDS as readonly string[]).includes(kind)) {
        throw new LineError(`unknown node kind ${kind}; kinds: ${KINDS.join(", ")}`);
      }
      let name = "host";
      if (kind !== "host-bridge") {
        const n = rest.shift();
        if (n === undefined || n.includes("=")) throw new LineError(`${kind} needs a NAME first`);
        name = n;
      }
      const kv = new Map<string, string>();
      const bars: BarSpec[] = [], vfBars: BarSpec[] = [];
      for (const w of rest) {
        const eq = w.indexOf("=");
        if (eq <= 0) throw new LineError(`${w}: want key=value`);
        const k = w.slice(0, eq), v = w.slice(eq + 1);
        const bm = /^(vf-)?bar([0-5])$/.exec(k);
        if (bm !== null && kind === "endpoint") {
          (bm[1] ? vfBars : bars).push(bar(Number(bm[2]), v, k));
          continue;
        }
        if (!KEYS[kind].includes(k)) {
          throw new LineError(`${kind} takes no ${k}; keys: ${KEYS[kind].join(", ")}`);
        }
        if (kv.has(k)) throw new LineError(`${k} is given twice`);
        kv.set(k, v);
      }
      const need = (k: string) => {
        const v = kv.get(k);
        if (v === undefined) throw new LineError(`${kind} ${name} needs ${k}=`);
        return v;
      };
      const [vendor, device] = idPair(need("id"), "id");
      const rev = kv.has("rev") ? hexNum(kv.get("rev")!, "rev", 0xff) : 0;
      if (kind === "host-bridge") {
        if (config.hostBridge !== undefined) throw new LineError("a second host-bridge line");
        config.hostBridge = { vendor, device, rev };
        continue;
      }
      const node: PciNodeConfig = {
        kind: kind as PciNodeConfig["kind"],
        name,
        at: need("at"),
        vendor,
        device,
        rev,
      };
      if (kv.has("ports")) node.ports = decNum(kv.get("ports")!, "ports");
      if (kv.has("class")) node.classCode = hexNum(kv.get("class")!, "class", 0xffffff);
      if (kv.has("subsys")) [node.subVendor, node.subDevice] = idPair(kv.get("subsys")!, "subsys");
      if (kv.has("fn")) node.fn = decNum(kv.get("fn")!, "fn");
      if (kv.has("driver")) node.driver = kv.get("driver")!;
      if (bars.length > 0) node.bars = bars;
      if (kv.has("vfs")) {
        node.sriov = {
          totalVfs: decNum(kv.get("vfs")!, "vfs"),
          numVfs: kv.has("numvfs") ? decNum(kv.get("numvfs")!, "numvfs") : 0,
          vfDevice: kv.has("vf-id") ? hexNum(kv.get("vf-id")!, "vf-id", 0xfffe) : device,
          vfBars,
        };
      } else if (kv.has("numvfs") || kv.has("vf-id") || vfBars.length > 0) {
        throw new LineError("numvfs, vf-id and vf-barN need vfs= (TotalVFs)");
      }
      if (lineOf.has(name)) throw new LineError(`${name}: the name is used twice`);
      lineOf.set(name, i + 1);
      config.nodes.push(node);
    } catch (e) {
      if (e instanceof LineError) return { error: `${file}:${i + 1}: error: ${e.message}` };
      throw e;
    }
  }
  // Build it once on a scratch bus: the topology's own checks, at their line.
  try {
    const clock = new VirtualClock();
    const iomem = new IomemTree(1 << 20);
    const pciWindow = iomem.request(
      iomem.root,
      "PCI Bus 0000:00",
      PCI_WINDOW_BASE,
      PCI_WINDOW_SIZE,
    ) as Resource;
    new PciTopology({
      clock,
      dmesg: new Dmesg(clock),
      iomem,
      pciWindow,
      frames: new FrameTable({ ramBytes: 1 << 20 }),
      sched: { timers: new TimerQueue(clock) },
      events: new EventLog(clock),
      // Building reads no policy.
      policy: (() => {
        throw new Error("no policy while checking a topology file");
      }) as never,
    }, config);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const name = /^([\w.-]+):/.exec(msg)?.[1]?.replace(/ VF$/, "");
    const line = name !== undefined ? lineOf.get(name.split(".")[0]) : undefined;
    return { error: `${file}:${line ?? 1}: error: ${msg}` };
  }
  return config;
}
