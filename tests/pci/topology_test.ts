import assert from "node:assert/strict";
import {
  DEFAULT_PCI,
  filterLspci,
  lspciEntries,
  Machine,
  parseLspciArgs,
  type PciConfig,
  renderLspci,
  renderLspciTree,
} from "../../mod.ts";
import type { LspciOptions } from "../../mod.ts";

const opts = (args: string[]) => parseLspciArgs(args) as LspciOptions;

Deno.test("default topology: buses numbered depth first, SR-IOV VF beside its PF, drivers bound", () => {
  const m = new Machine({ pci: "default" });
  const slots = m.pci.present().map((d) => `${d.slot} ${d.driver?.name ?? "-"}`);
  assert.deepEqual(slots, [
    "00:00.0 -",
    "00:01.0 -",
    "00:02.0 -",
    "00:03.0 -",
    "01:00.0 -",
    "02:08.0 -",
    "02:09.0 -",
    "03:00.0 mlx5_core",
    "03:00.1 mlx5_core",
    "04:00.0 nvidia",
    "05:00.0 ixgbe",
    "06:00.0 nvme",
  ]);
  const pf = m.pci.find("0000:03:00.0")!;
  assert.equal(pf.vfs[0], m.pci.find("03:00.1"));
  assert.equal(pf.vfs[0].physfn, pf);
  assert.deepEqual([pf.upstream!.slot, pf.upstream!.upstream!.slot], ["02:08.0", "01:00.0"]);
  // The GPU sits beside the NIC under the same switch.
  assert.equal(m.pci.find("04:00.0")!.upstream!.upstream, pf.upstream!.upstream);
  // A bare library machine has only the host bridge (no iomem lines).
  assert.equal(new Machine().pci.present().length, 1);
});

Deno.test("BARs: naturally aligned, inside their bridge windows, shown in /proc/iomem, BAR registers hold them", () => {
  const m = new Machine({ pci: "default" });
  for (const d of m.pci.present()) {
    for (const b of d.bars) {
      if (b === null || b.kind === "io") continue;
      assert.equal(b.addr % b.size, 0, `${d.bdf} BAR${b.index}`);
      for (let up = d.upstream; up !== null; up = up.upstream) {
        assert.ok(up.window!.start <= b.addr && b.addr + b.size - 1 <= up.window!.end);
      }
      const lo = d.configRead(0x10 + 4 * b.index, 4), hi = d.configRead(0x14 + 4 * b.index, 4);
      assert.equal(hi * 2 ** 32 + (lo - (lo % 16)), b.addr);
      assert.equal(lo & 0xf, 0x4 | (b.prefetch ? 0x8 : 0));
    }
  }
  const text = m.iomem.text();
  assert.ok(text.includes("  7006400000-70064fffff : PCI Bus 0000:05"), text.join("\n"));
  assert.ok(text.some((l) => /^ {8}7004000000-7005ffffff : 0000:03:00.0$/.test(l)));
  assert.ok(text.some((l) => /^ {10}7004000000-7005ffffff : mlx5_core$/.test(l)));
  const io = m.pci.find("05:00.0")!.bars[2]!;
  assert.equal(io.addr, 0xe000);
});

Deno.test("lspci: terse, -nn, -vv and -t in lspci's text", () => {
  const m = new Machine({ pci: "default" });
  const e = lspciEntries(m.pci);
  const line = (args: string[], slot: string) =>
    renderLspci(filterLspci(e, opts([...args, "-s", slot])), opts(args));
  assert.deepEqual(line([], "03:00.0"), [
    "03:00.0 Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5]",
  ]);
  assert.deepEqual(line(["-nn"], "05:00.0"), [
    "05:00.0 Ethernet controller [0200]: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ " +
    "Network Connection [8086:10fb] (rev 01)",
  ]);
  assert.deepEqual(line(["-vv"], "05:00.0"), [
    "05:00.0 Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection (rev 01)",
    "\tSubsystem: Intel Corporation Device 0003",
    "\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-",
    "\tStatus: Cap- 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-",
    "\tLatency: 0, Cache Line Size: 64 bytes",
    "\tInterrupt: pin A routed to IRQ 17",
    "\tIOMMU group: 9",
    "\tRegion 0: Memory at 7006400000 (64-bit, non-prefetchable) [size=512K]",
    "\tRegion 2: I/O ports at e000 [size=32]",
    "\tRegion 4: Memory at 7006480000 (64-bit, non-prefetchable) [size=16K]",
    "\tKernel driver in use: ixgbe",
    "\tKernel modules: ixgbe",
    "",
  ]);
  assert.deepEqual(
    line(["-v"], "06:00.0")[0],
    "06:00.0 Non-Volatile memory controller: Samsung " +
      "Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO (prog-if 02 [NVM Express])",
  );
  assert.deepEqual(renderLspciTree(e, opts(["-t"])), [
    "-[0000:00]-+-00.0",
    "           +-01.0-[01-04]----00.0-[02-04]--+-08.0-[03]--+-00.0",
    "           |                               |            \\-00.1",
    "           |                               \\-09.0-[04]----00.0",
    "           +-02.0-[05]----00.0",
    "           \\-03.0-[06]----00.0",
  ]);
  // Mem- after clearing MEMORY; the BAR line says [disabled].
  const nic = m.pci.find("05:00.0")!;
  nic.setCommand(nic.command & ~2);
  const vv = renderLspci(filterLspci(lspciEntries(m.pci), opts(["-s", "05:00.0"])), opts(["-vv"]));
  assert.match(vv[2], /Control: I\/O\+ Mem- BusMaster\+/);
  assert.match(vv[7], /\(64-bit, non-prefetchable\) \[disabled\] \[size=512K\]$/);
});

Deno.test("lspci options: combined switches, -s forms, and one clear error for the rest", () => {
  assert.deepEqual(parseLspciArgs(["-tv"]), {
    verbose: 1,
    numeric: 0,
    kernel: false,
    tree: true,
    domains: false,
  });
  assert.equal((parseLspciArgs(["-s03:00.1"]) as LspciOptions).slot, "03:00.1");
  assert.equal(parseLspciArgs(["-z"]), "lspci: invalid option -- 'z'");
  assert.match(parseLspciArgs(["-s"]) as string, /-s needs a slot/);
  assert.match(parseLspciArgs(["-s", "zz:1"]) as string, /not a slot/);
  const m = new Machine({ pci: "default" });
  const e = lspciEntries(m.pci);
  assert.equal(filterLspci(e, opts(["-s", "03:"])).length, 2);
  assert.equal(filterLspci(e, opts(["-s", ".1"])).length, 1);
});

Deno.test("topology checks: bad configurations are refused with the node named", () => {
  const base = (nodes: PciConfig["nodes"]): PciConfig => ({ nodes });
  const rp = DEFAULT_PCI.nodes[0];
  assert.throws(
    () => new Machine({ pci: base([rp, { ...rp, name: "x" }]) }),
    /x: slot 00:01.0 is taken/,
  );
  assert.throws(
    () => new Machine({ pci: base([{ ...DEFAULT_PCI.nodes[2], at: "nowhere" }]) }),
    /mlx: at=nowhere names no root port/,
  );
  assert.throws(
    () =>
      new Machine({
        pci: base([rp, {
          kind: "endpoint",
          name: "e",
          at: "rp1",
          vendor: 1,
          device: 2,
          bars: [{ index: 0, kind: "mem32", size: 4096, prefetch: false }],
        }]),
      }),
    /e: BAR0 mem32: mmlab has no 32-bit PCI window/,
  );
});

Deno.test("lspci -x: the config space in hex, 64 bytes (-xxx: 256)", () => {
  const m = new Machine({ pci: "default" });
  const e = filterLspci(lspciEntries(m.pci), opts(["-s", "03:00.0"]));
  const cfg = (bdf: string) => m.pci.find(bdf)?.config;
  const out = renderLspci(e, opts(["-x"]), cfg);
  assert.equal(out.length, 1 + 4 + 1);
  assert.equal(out[1], "00: b3 15 17 10 06 00 00 00 00 00 00 02 10 00 00 00");
  assert.match(out[2], /^10: 0c 00 00 04 70 00 00 00 /);
  assert.equal(out[5], "");
  assert.equal(renderLspci(e, opts(["-xxx"]), cfg).length, 1 + 16 + 1);
});

Deno.test("lspci -t -s: the subtree of a matching bridge, from DOMAIN:BUS:", () => {
  const m = new Machine({ pci: "default" });
  assert.deepEqual(renderLspciTree(lspciEntries(m.pci), opts(["-t", "-s", "02:08.0"])), [
    "0000:02:08.0-[03]--+-00.0",
    "                   \\-00.1",
  ]);
  assert.deepEqual(renderLspciTree(lspciEntries(m.pci), opts(["-t", "-s", "05:00.0"])), []);
});
