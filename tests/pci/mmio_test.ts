import assert from "node:assert/strict";
import { cpuRead, cpuWrite, Machine, pciRegs, registerPattern } from "../../mod.ts";
import { mapBar } from "./testbar.ts";

const u32 = (b: Uint8Array, o = 0) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

Deno.test("BAR register model: unwritten registers read 0xC0DE0000|offset, writes stick and log", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const nic = m.pci.find("05:00.0")!;
  const a = mapBar(m, p, nic, 0);
  assert.ok(a > 0);
  assert.equal(u32(cpuRead(p, a + 0x800, 4).bytes!), 0xC0DE0800);
  assert.equal(registerPattern(0x12345), 0xC0DE2345);
  // A 4-byte doorbell write: stored, logged with its offset and bytes.
  m.clock.advance(1000);
  const t0 = m.clock.ns;
  assert.equal(cpuWrite(p, a + 0x800, Uint8Array.of(1, 0, 0, 0)).sig, undefined);
  assert.equal(u32(cpuRead(p, a + 0x800, 4).bytes!), 1);
  // A one-byte write merges into its register.
  cpuWrite(p, a + 0x805, Uint8Array.of(0xaa));
  assert.equal(u32(cpuRead(p, a + 0x804, 4).bytes!), 0xC0DEAA04);
  assert.equal(nic.doorbellWrites, 2);
  assert.deepEqual(nic.doorbells[0], { ns: t0, bar: 0, offset: 0x800, bytes: [1, 0, 0, 0] });
  assert.deepEqual(nic.doorbells[1].offset, 0x805);
});

Deno.test("MMIO with Memory Space disabled: all ones, writes dropped (hw.mmioUnclaimed=all-ones)", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const nic = m.pci.find("05:00.0")!;
  const a = mapBar(m, p, nic, 0);
  nic.setCommand(nic.command & ~pciRegs.PCI_COMMAND_MEMORY);
  assert.equal(u32(cpuRead(p, a, 4).bytes!), 0xffffffff);
  cpuWrite(p, a + 8, Uint8Array.of(5, 6, 7, 8));
  assert.equal(nic.doorbellWrites, 0);
  assert.equal(m.dmesg.lines.length, 0, "silent on all-ones platforms");
  assert.equal(m.pci.hostFatal, null);
  // Re-enabled: the register never saw the write.
  nic.setCommand(nic.command | pciRegs.PCI_COMMAND_MEMORY);
  assert.equal(u32(cpuRead(p, a + 8, 4).bytes!), 0xC0DE0008);
});

Deno.test("hw.mmioUnclaimed=host-fatal: the unclaimed access escalates, logged [emu] at emerg", () => {
  const m = new Machine({ pci: "default", policies: { "hw.mmioUnclaimed": "host-fatal" } });
  const p = m.init;
  const nic = m.pci.find("05:00.0")!;
  const a = mapBar(m, p, nic, 0);
  nic.state = "frozen";
  assert.equal(u32(cpuRead(p, a + 4, 4).bytes!), 0xffffffff);
  assert.equal(m.dmesg.lines.length, 1);
  assert.equal(m.dmesg.lines[0].level, "emerg");
  assert.match(
    m.dmesg.lines[0].text,
    /^\[emu\] host-fatal: .*0000:05:00\.0 BAR0\+0x4 \(frozen, Mem-\)/,
  );
  assert.match(m.pci.hostFatal!, /MMIO read of 4/);
});

Deno.test("a VF decodes memory while its PF has VFs enabled; a bridge with Mem- cuts off everything below", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const vf = m.pci.find("03:00.1")!;
  assert.ok(vf.isVirtfn);
  // A VF's COMMAND.MEMORY is hardwired 0, yet it decodes.
  vf.setCommand(0xffff);
  assert.equal(vf.command & pciRegs.PCI_COMMAND_MEMORY, 0);
  const a = mapBar(m, p, vf, 0);
  assert.equal(u32(cpuRead(p, a, 4).bytes!), 0xC0DE0000);
  const port = m.pci.find("02:08.0")!;
  port.setCommand(port.command & ~pciRegs.PCI_COMMAND_MEMORY);
  assert.equal(u32(cpuRead(p, a, 4).bytes!), 0xffffffff);
});
