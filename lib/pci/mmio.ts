/**
 * CPU accesses to PCI memory space (lib/arch/cpu.ts reaches these through
 * the iomem tree: a PTE's pfn past RAM -> IomemTree.mmioAt). A BAR's
 * register model answers when its function decodes memory
 * (PciDev.decodesMemory: present, COMMAND.MEMORY set, bridges above it
 * forwarding); otherwise no one claims the request and the platform's
 * answer is `hw.mmioUnclaimed`:
 *
 * - `all-ones`: the root complex completes an Unsupported Request to a
 *   read with all ones and drops a write (typical x86: the ~0 that
 *   drivers test for with `readl(...) == ~0`, e.g. pci_device_is_present);
 * - `host-fatal`: the UR escalates to a fatal platform error (what
 *   CVE-2020-12888 was about: some hosts take a machine check). mmlab
 *   logs it at emerg with `[emu]` (no kernel text applies: it is firmware
 *   and the platform) and records it in PciTopology.hostFatal; the access
 *   itself then reads all ones, as there is no one to answer.
 * @module
 */

import type { MmioOps, Resource } from "../phys/iomem.ts";
import type { KnobValue } from "../policy.ts";
import type { Bar } from "./bar.ts";
import type { PciDev } from "./device.ts";
import type { PciTopology } from "./topology.ts";

/** What an unclaimed access does beyond reading all ones, per policy. */
const ON_UNCLAIMED: Record<
  KnobValue<"hw.mmioUnclaimed">,
  (t: PciTopology, what: string) => void
> = {
  "all-ones": () => {},
  "host-fatal": (t, what) => {
    t.env.dmesg.log("emerg", `[emu] host-fatal: Unsupported Request escalated: ${what}`);
    t.hostFatal ??= what;
  },
};

function unclaimed(t: PciTopology, what: string): void {
  ON_UNCLAIMED[t.env.policy("hw.mmioUnclaimed")](t, what);
}

function where(dev: PciDev | null, bar: Bar | null, off: number, base: number): string {
  const hex = (n: number) => "0x" + n.toString(16);
  if (dev === null || bar === null) return `no device at ${hex(base + off)}`;
  return `${dev.bdf} BAR${bar.index}+${hex(off)} (${dev.state}, ` +
    `${dev.decodesMemory() ? "Mem+" : "Mem-"})`;
}

/** The register model of one BAR, gated by its function's memory decode. */
export function barMmio(t: PciTopology, dev: PciDev, bar: Bar): MmioOps {
  return {
    read(off, len) {
      if (dev.decodesMemory()) return bar.read(off, len);
      unclaimed(t, `MMIO read of ${len} at ${where(dev, bar, off, bar.addr)}`);
      return new Uint8Array(len).fill(0xff);
    },
    write(off, data) {
      if (!dev.decodesMemory()) {
        unclaimed(t, `MMIO write of ${data.length} at ${where(dev, bar, off, bar.addr)}`);
        return;
      }
      bar.store(off, data);
      dev.logWrite(t.env.clock.ns, bar.index, off, data);
    },
  };
}

/**
 * A bus window (the host bridge's, a bridge's, a PF's VF BAR range) where
 * no BAR claims the address: every access is unclaimed.
 */
export function unclaimedMmio(t: PciTopology, window: Resource): MmioOps {
  const base = window.start;
  return {
    read(off, len) {
      unclaimed(t, `MMIO read of ${len} at ${where(null, null, off, base)}`);
      return new Uint8Array(len).fill(0xff);
    },
    write(off, data) {
      unclaimed(t, `MMIO write of ${data.length} at ${where(null, null, off, base)}`);
    },
  };
}
