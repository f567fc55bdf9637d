import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  injectFault,
  Machine,
  mapsLines,
  syscall,
} from "../../mod.ts";
import type { Process } from "../../mod.ts";

const sys = (p: Process, name: string, ...args: unknown[]) => syscall(p, name, args).ret;
const O_RDWR = 2, PROT_RW = 3, MAP_SHARED = 1;

Deno.test("sysfs resource0: mmap reaches the BAR's registers; maps shows the physical offset", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const nic = m.pci.find("05:00.0")!;
  const fd = sys(p, "open", "/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR);
  assert.ok(fd >= 0);
  const a = sys(p, "mmap", 0, 8192, PROT_RW, MAP_SHARED, fd, 4096);
  assert.ok(a > 0);
  const line = mapsLines(p).find((l) => l.startsWith(a.toString(16)))!;
  assert.match(
    line,
    /rw-s 7006401000 00:15 \d+ +\/sys\/devices\/pci0000:00\/0000:00:02\.0\/0000:05:00\.0\/resource0$/,
  );
  // Offset 0x1000 into the mapping is BAR offset 0x2000.
  const u32 = (addr: number) => new DataView(cpuRead(p, addr, 4).bytes!.buffer).getUint32(0, true);
  assert.equal(u32(a + 0x1000), 0xC0DE2000);
  cpuWrite(p, a + 0x1010, Uint8Array.of(0xef, 0xbe, 0xad, 0xde));
  assert.equal(nic.bars[0]!.reg32(0x2010), 0xdeadbeef);
  // Past the BAR (512K): EINVAL (pci_mmap_fits).
  assert.equal(sys(p, "mmap", 0, 4096, PROT_RW, MAP_SHARED, fd, 512 * 1024), -22);
  assert.equal(sys(p, "mmap", 0, 1 << 20, PROT_RW, MAP_SHARED, fd, 0), -22);
  assert.equal(sys(p, "open", "/sys/bus/pci/devices/0000:05:00.0/resource2", O_RDWR), -2);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("sysfs config: pread shows the config space, pwrite of COMMAND turns Memory Space off", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const fd = sys(p, "open", "/sys/bus/pci/devices/0000:03:00.0/config", O_RDWR);
  const r = syscall(p, "pread", [fd, new Uint8Array(8), 8, 0]);
  assert.equal(r.ret, 8);
  assert.deepEqual([...r.data!], [0xb3, 0x15, 0x17, 0x10, 0x06, 0x00, 0x00, 0x00]);
  assert.equal(syscall(p, "pwrite", [fd, "\x04\x00", 2, 4]).ret, 2);
  assert.equal(m.pci.find("03:00.0")!.command, 0x4);
  // The VF's sysfs files; they go when the VF does, and a new VF gets its own.
  assert.ok(m.fs.lookup("/sys/bus/pci/devices/0000:03:00.1/resource0") !== undefined);
  injectFault(m, "hot-unplug", "03:00.0");
  assert.equal(m.fs.lookup("/sys/bus/pci/devices/0000:03:00.1/resource0"), undefined);
  assert.equal(m.fs.lookup("/sys/bus/pci/devices/0000:03:00.0/config"), undefined);
});

Deno.test("kernel copies from and to a BAR mapping go through the register model", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const nic = m.pci.find("05:00.0")!;
  const bar = sys(
    p,
    "mmap",
    0,
    4096,
    PROT_RW,
    MAP_SHARED,
    sys(p, "open", "/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR),
    0,
  );
  // write(2) from the BAR: copy_from_user reads the registers.
  const f = sys(p, "open", "/tmp/regs", O_RDWR | 0o100, 0o644);
  assert.equal(sys(p, "write", f, bar + 0x10, 4), 4);
  const back = syscall(p, "pread", [f, new Uint8Array(4), 4, 0]);
  assert.deepEqual([...back.data!], [0x10, 0x00, 0xde, 0xc0]);
  // read(2) into the BAR: copy_to_user stores into the registers (a doorbell write).
  assert.equal(sys(p, "pread", f, bar + 0x20, 4, 0), 4);
  assert.equal(nic.bars[0]!.reg32(0x20), 0xC0DE0010);
  assert.equal(nic.doorbellWrites, 1);
});

Deno.test("sriov_numvfs: disable the VFs so vfio-pci can take the PF; the kernel's refusals", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const dir = "/sys/bus/pci/devices/0000:03:00.0";
  const rd = (path: string) => {
    const fd = sys(p, "open", path, 0);
    const r = syscall(p, "read", [fd, new Uint8Array(16), 16]);
    sys(p, "close", fd);
    return new TextDecoder().decode(r.data!);
  };
  const wr = (text: string) => {
    const fd = sys(p, "open", `${dir}/sriov_numvfs`, O_RDWR);
    const r = sys(p, "write", fd, text, text.length);
    sys(p, "close", fd);
    return r;
  };
  assert.equal(rd(`${dir}/sriov_totalvfs`), "4\n");
  assert.equal(rd(`${dir}/sriov_numvfs`), "1\n");
  assert.equal(wr("9"), -34); // ERANGE: above TotalVFs
  assert.equal(wr("x"), -22);
  assert.equal(wr("3\n"), -16); // EBUSY: disable first
  assert.equal(
    m.dmesg.lines.at(-1)!.text,
    "mlx5_core 0000:03:00.0: 1 VFs already enabled. Disable before enabling 3 VFs",
  );
  assert.equal(wr("0"), 1);
  assert.equal(m.pci.find("03:00.1"), undefined);
  assert.equal(m.fs.lookup("/sys/bus/pci/devices/0000:03:00.1/config"), undefined);
  assert.equal(wr("2"), 1);
  assert.deepEqual(m.pci.find("03:00.0")!.vfs.map((v) => `${v.slot} ${v.driver?.name}`), [
    "03:00.1 mlx5_core",
    "03:00.2 mlx5_core",
  ]);
  assert.equal(wr("0"), 1);
  // Now vfio-pci takes the PF; its sriov_configure is -ENOENT (enable_sriov=0), silently.
  const pf = m.pci.find("03:00.0")!;
  m.drivers.unbind(pf);
  pf.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(pf, "vfio-pci"), 0);
  const lines = m.dmesg.lines.length;
  assert.equal(wr("1"), -2);
  assert.equal(m.dmesg.lines.length, lines);
  m.drivers.unbind(pf);
  assert.equal(wr("1"), -2);
  assert.equal(
    m.dmesg.lines.at(-1)!.text,
    "pci 0000:03:00.0: no driver bound to device; cannot configure SR-IOV",
  );
  assert.deepEqual(checkInvariants(m), []);
});
