/**
 * Whether one PCI function may DMA straight into another's BAR, and how
 * (drivers/pci/p2pdma.c, 6.x): the path from the provider up to the first
 * bridge both share, and back down to the client.
 *
 * ```
 *         host bridge 00:00.0            distance = bridges climbed from the
 *              |                         provider + from the client to the
 *          root port 00:01.0             first common one:
 *              |                           same function        0
 *        switch upstream 01:00.0           two functions of     2
 *          /              \                  one device
 *  downstream 02:08.0   02:09.0            two devices under    4
 *        |                  |                one switch
 *   NIC 03:00.0        GPU 04:00.0
 * ```
 * A common upstream bridge without ACS redirection on either leg is
 * PCI_P2PDMA_MAP_BUS_ADDR (the switch routes the TLPs). ACS Request or
 * Completion Redirect (or Egress Control) on a bridge of the path sends
 * the traffic up to the root complex: PCI_P2PDMA_MAP_THRU_HOST_BRIDGE, with
 * two warnings naming the bridges. No common bridge below the host bridge
 * is THRU_HOST_BRIDGE too. Going through the host bridge is allowed only
 * when the CPU is known to handle it (AMD Zen, family >= 0x17:
 * cpu_supports_p2pdma) or the host bridge is on the kernel's whitelist
 * (some Intel Xeons; the older ones only within one host bridge);
 * otherwise PCI_P2PDMA_MAP_NOT_SUPPORTED, and pci_p2pdma_distance() is -1.
 *
 * ACS Control is not in mmlab's config space (no capability list is
 * modelled): it is kept here per function, set as firmware or
 * `setpci ECAP_ACS+6.w` would (the REPL's `p2pdma acs`).
 * @module
 */

import type { PciDev } from "./device.ts";
import { pciLog } from "./pci.ts";
import type { PciTopology } from "./topology.ts";

/** enum pci_p2pdma_map_type. */
export type P2pdmaMapType = "UNKNOWN" | "NOT_SUPPORTED" | "BUS_ADDR" | "THRU_HOST_BRIDGE";

/** ACS Control bits (include/uapi/linux/pci_regs.h PCI_ACS_*). */
export const PCI_ACS_SV = 0x0001;
export const PCI_ACS_TB = 0x0002;
/** PCI_ACS_RR: P2P Request Redirect: requests between downstream ports go up to the root. */
export const PCI_ACS_RR = 0x0004;
/** PCI_ACS_CR: P2P Completion Redirect. */
export const PCI_ACS_CR = 0x0008;
export const PCI_ACS_UF = 0x0010;
/** PCI_ACS_EC: P2P Egress Control. */
export const PCI_ACS_EC = 0x0020;

/** pci_p2pdma_whitelist[]: host bridges known to route p2p TLPs. */
const WHITELIST: ReadonlyArray<{ vendor: number; device: number; sameHostBridge: boolean }> = [
  // Intel Xeon E5/Core i7
  { vendor: 0x8086, device: 0x3c00, sameHostBridge: true },
  { vendor: 0x8086, device: 0x3c01, sameHostBridge: true },
  // Intel Xeon E7 v3/Xeon E5 v3/Core i7
  { vendor: 0x8086, device: 0x2f00, sameHostBridge: true },
  { vendor: 0x8086, device: 0x2f01, sameHostBridge: true },
  // Intel Skylake-E
  { vendor: 0x8086, device: 0x2030, sameHostBridge: false },
  { vendor: 0x8086, device: 0x2031, sameHostBridge: false },
  { vendor: 0x8086, device: 0x2032, sameHostBridge: false },
  { vendor: 0x8086, device: 0x2033, sameHostBridge: false },
  { vendor: 0x8086, device: 0x2020, sameHostBridge: false },
  { vendor: 0x8086, device: 0x09a2, sameHostBridge: false },
];

/** struct pci_p2pdma of a provider: its cache of map types per client. */
export interface P2pdmaProvider {
  /** map_types: client BDF -> the type calc_map_type_and_dist found. */
  readonly mapTypes: Map<string, P2pdmaMapType>;
  /** Memory published for other drivers (pci_p2pmem_publish). */
  published: boolean;
}

/** The machine's p2pdma state: ACS Control words, providers and their caches. */
export class P2pdma {
  /** ACS Control per function with an ACS capability (absent: no capability). */
  readonly acsCtrl: Map<PciDev, number> = new Map();
  /** Functions that registered BAR memory (pci_p2pdma_add_resource). */
  readonly providers: Map<PciDev, P2pdmaProvider> = new Map();
  /** The CPU is AMD family >= 0x17 (cpu_supports_p2pdma); mmlab's machine is Intel. */
  cpuSupportsP2pdma = false;

  /** The p2pdma state of topology `topo` (no providers yet). */
  constructor(readonly topo: PciTopology) {}

  /** pci_p2pdma_add_resource(): `dev` becomes a provider (idempotent). */
  addProvider(dev: PciDev): P2pdmaProvider {
    let p = this.providers.get(dev);
    if (p === undefined) {
      p = { mapTypes: new Map(), published: false };
      this.providers.set(dev, p);
    }
    return p;
  }
}

/** pci_bridge_has_acs_redir(): ACS RR, CR or EC set on `dev`. */
function hasAcsRedir(state: P2pdma, dev: PciDev): boolean {
  const ctrl = state.acsCtrl.get(dev);
  return ctrl !== undefined && (ctrl & (PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC)) !== 0;
}

/** __host_bridge_whitelist(), with its warning when asked. */
function hostBridgeWhitelisted(state: P2pdma, same: boolean, warn: boolean): boolean {
  const root = state.topo.hostBridge;
  const { vendor, device } = root.ids;
  const e = WHITELIST.find((w) => w.vendor === vendor && w.device === device);
  if (e !== undefined) return !(e.sameHostBridge && !same);
  if (warn) {
    const h = (n: number) => n.toString(16).padStart(4, "0");
    pciLog(
      state.topo,
      root,
      "warn",
      `Host bridge not in P2PDMA whitelist: ${h(vendor)}:${h(device)}`,
    );
  }
  return false;
}

/** What calc_map_type_and_dist() decided. */
export interface P2pdmaPath {
  /** The map type for this provider/client pair. */
  type: P2pdmaMapType;
  /** Bridges climbed from both ends to the common one (or to the top). */
  distance: number;
  /** The bridges with ACS redirection on the path, as disable_acs_redir would list them. */
  acsList: string[];
  /** There is a common upstream bridge below the host bridge. */
  common: PciDev | null;
}

/**
 * drivers/pci/p2pdma.c: calc_map_type_and_dist(provider, client, &dist,
 * verbose). Walks up from the provider; for each bridge `a` (the provider
 * itself first) it walks up from the client looking for `a`. The verbose
 * warnings go to the client's dev_printk; the result is cached in the
 * provider's map_types when it is a provider.
 */
export function calcMapTypeAndDist(
  state: P2pdma,
  provider: PciDev,
  client: PciDev,
  verbose: boolean,
): P2pdmaPath {
  const acsList: string[] = [];
  let distA = 0, distB = 0;
  let common: PciDev | null = null;
  for (let a: PciDev | null = provider; a !== null; a = a.upstream, distA++) {
    distB = 0;
    if (hasAcsRedir(state, a)) acsList.push(a.bdf);
    let bb: PciDev | null = client;
    for (; bb !== null; bb = bb.upstream, distB++) if (bb === a) break;
    if (bb !== null) {
      common = a;
      break;
    }
  }
  let type: P2pdmaMapType = "THRU_HOST_BRIDGE";
  let acsRedirects = false;
  if (common !== null) {
    // check_b_path_acs: the client's leg below the common bridge.
    for (let bb: PciDev | null = client; bb !== null && bb !== common; bb = bb.upstream) {
      if (hasAcsRedir(state, bb)) acsList.push(bb.bdf);
    }
    if (acsList.length === 0) type = "BUS_ADDR";
    else {
      if (verbose) {
        pciLog(
          state.topo,
          client,
          "warn",
          `ACS redirect is set between the client and provider (${provider.bdf})`,
        );
        pciLog(
          state.topo,
          client,
          "warn",
          "to disable ACS redirect for this path, add the kernel parameter: " +
            `pci=disable_acs_redir=${acsList.join(";")}`,
        );
      }
      acsRedirects = true;
    }
  }
  // The root ports hang off the host bridge in pci_upstream_bridge() terms
  // (their upstream is null): everything in mmlab shares one host bridge.
  if (type === "THRU_HOST_BRIDGE") {
    if (!state.cpuSupportsP2pdma && !hostBridgeWhitelisted(state, true, acsRedirects)) {
      if (verbose) {
        pciLog(
          state.topo,
          client,
          "warn",
          `cannot be used for peer-to-peer DMA as the client and provider (${provider.bdf}) ` +
            "do not share an upstream bridge or whitelisted host bridge",
        );
      }
      type = "NOT_SUPPORTED";
    }
  }
  state.providers.get(provider)?.mapTypes.set(client.bdf, type);
  return { type, distance: distA + distB, acsList, common };
}

/**
 * pci_p2pdma_map_type() as the DMA mapping code asks it: the provider's
 * cached answer, or calc_map_type_and_dist(verbose) the first time, so the
 * warnings appear once per client. A function that is not a provider is
 * NOT_SUPPORTED.
 */
export function p2pdmaMapType(state: P2pdma, provider: PciDev, client: PciDev): P2pdmaMapType {
  const p = state.providers.get(provider);
  if (p === undefined) return "NOT_SUPPORTED";
  const cached = p.mapTypes.get(client.bdf);
  if (cached !== undefined) return cached;
  return calcMapTypeAndDist(state, provider, client, true).type;
}

/**
 * pci_p2pdma_distance_many(provider, [client], 1, verbose) =
 * pci_p2pdma_distance(): the distance, or -1 when p2p is not supported.
 */
export function pciP2pdmaDistance(
  state: P2pdma,
  provider: PciDev,
  client: PciDev,
  verbose: boolean,
): number {
  const r = calcMapTypeAndDist(state, provider, client, verbose);
  return r.type === "NOT_SUPPORTED" ? -1 : r.distance;
}

/** PCI_P2PDMA_MAP_* name of a map type. */
export function mapTypeName(t: P2pdmaMapType): string {
  return `PCI_P2PDMA_MAP_${t}`;
}
