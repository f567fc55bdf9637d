/**
 * drivers/pci/p2pdma.c calc_map_type_and_dist() on the default topology:
 * distances, ACS redirection, the host-bridge whitelist, the log lines
 * and their printing only on the verbose (first, uncached) query.
 */
import assert from "node:assert/strict";
import { DEFAULT_PCI, Machine } from "../../mod.ts";
import {
  calcMapTypeAndDist,
  P2pdma,
  p2pdmaMapType,
  PCI_ACS_EC,
  PCI_ACS_RR,
  pciP2pdmaDistance,
} from "../../lib/pci/p2pdma.ts";

function machine(hostDevice = 0x2020) {
  const m = new Machine({
    pci: { ...DEFAULT_PCI, hostBridge: { vendor: 0x8086, device: hostDevice } },
  });
  const f = (s: string) => m.pci.find(s)!;
  return { m, pf: f("03:00.0"), vf: f("03:00.1"), gpu: f("04:00.0"), ixgbe: f("05:00.0") };
}

Deno.test("p2pdma: distance 0 for one function, 2 for two functions of a device, 4 under one switch", () => {
  const { m, pf, vf, gpu, ixgbe } = machine();
  const s = m.p2pdma;
  assert.deepEqual(
    [calcMapTypeAndDist(s, gpu, gpu, false).distance, calcMapTypeAndDist(s, gpu, gpu, false).type],
    [0, "BUS_ADDR"],
  );
  assert.equal(calcMapTypeAndDist(s, pf, vf, false).distance, 2);
  const sw = calcMapTypeAndDist(s, gpu, pf, false);
  assert.deepEqual([sw.type, sw.distance, sw.common?.bdf], ["BUS_ADDR", 4, "0000:01:00.0"]);
  // Different root ports: through the host bridge, which 8086:2020 (Skylake-E) allows.
  const hb = calcMapTypeAndDist(s, gpu, ixgbe, false);
  assert.deepEqual([hb.type, hb.common], ["THRU_HOST_BRIDGE", null]);
  assert.equal(pciP2pdmaDistance(s, gpu, ixgbe, false), hb.distance);
  assert.equal(m.dmesg.lines.filter((l) => /P2P|ACS|peer/.test(l.text)).length, 0);
});

Deno.test("p2pdma: ACS redirect on the path goes through the host bridge, with the two warnings", () => {
  const { m, pf, gpu } = machine();
  const s = m.p2pdma;
  s.acsCtrl.set(pf.upstream!, PCI_ACS_RR);
  s.acsCtrl.set(gpu.upstream!, PCI_ACS_EC);
  const r = calcMapTypeAndDist(s, gpu, pf, true);
  assert.deepEqual([r.type, r.distance], ["THRU_HOST_BRIDGE", 4]);
  assert.deepEqual(m.dmesg.lines.slice(-2).map((l) => [l.level, l.text]), [
    [
      "warn",
      "mlx5_core 0000:03:00.0: ACS redirect is set between the client and provider (0000:04:00.0)",
    ],
    [
      "warn",
      "mlx5_core 0000:03:00.0: to disable ACS redirect for this path, add the kernel parameter: " +
      "pci=disable_acs_redir=0000:02:09.0;0000:02:08.0",
    ],
  ]);
});

Deno.test("p2pdma: a host bridge off the whitelist is NOT_SUPPORTED (-1), logged once per client by map_type", () => {
  const { m, pf, gpu, ixgbe } = machine(0x1234);
  const s = m.p2pdma;
  // Not a provider yet: map_type is NOT_SUPPORTED without a word.
  const other = new P2pdma(m.pci);
  assert.equal(p2pdmaMapType(other, gpu, ixgbe), "NOT_SUPPORTED");
  // The GPU driver made 04:00.0 a provider: the first query is verbose.
  assert.equal(p2pdmaMapType(s, gpu, ixgbe), "NOT_SUPPORTED");
  const n = m.dmesg.lines.length;
  assert.equal(
    m.dmesg.lines[n - 1].text,
    "ixgbe 0000:05:00.0: cannot be used for peer-to-peer DMA as the client and provider " +
      "(0000:04:00.0) do not share an upstream bridge or whitelisted host bridge",
  );
  assert.equal(p2pdmaMapType(s, gpu, ixgbe), "NOT_SUPPORTED");
  assert.equal(m.dmesg.lines.length, n);
  // pci_p2pdma_distance() computes again (quietly unless verbose): -1.
  assert.equal(pciP2pdmaDistance(s, gpu, ixgbe, false), -1);
  assert.equal(m.dmesg.lines.length, n);
  // Under one switch the host bridge does not matter; an AMD Zen CPU allows the rest.
  assert.equal(p2pdmaMapType(s, gpu, pf), "BUS_ADDR");
  s.cpuSupportsP2pdma = true;
  assert.equal(pciP2pdmaDistance(s, gpu, ixgbe, true) > 0, true);
});
