import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { parseLine } from "../../repl/parser.ts";
import { wordShape } from "../../repl/commands/index.ts";
import { vfioPciStub, WaitQueue } from "../../mod.ts";

async function run(s: Session, line: string): Promise<string[]> {
  const r = await s.run(line);
  assert.equal(r.error, undefined, `${line}: ${r.error?.message}`);
  return r.output;
}

async function fails(s: Session, line: string): Promise<string> {
  const r = await s.run(line);
  assert.ok(r.error !== undefined, `${line} should fail`);
  return r.error!.message;
}

Deno.test("parser: hyphenated word commands and variadic options", () => {
  const st = parseLine("device-bind 05:00.0 vfio-pci # comment", wordShape);
  assert.ok(st.type === "command");
  assert.equal(st.name, "device-bind");
  assert.deepEqual(st.args.map((a) => a.type === "word" ? a.text : "?"), ["05:00.0", "vfio-pci"]);
  const ls = parseLine("lspci -vv -s 03:00.0 --json", wordShape);
  assert.ok(ls.type === "command");
  assert.deepEqual(ls.args.map((a) => a.type === "word" ? a.text : "?"), [
    "-vv",
    "-s",
    "03:00.0",
    "--json",
  ]);
  // Not a command: subtraction stays subtraction.
  const ex = parseLine("device - bind", wordShape);
  assert.equal(ex.type, "eval");
});

Deno.test("REPL: lspci, device-bind to vfio-pci, and the refusal for a PF with VFs", async () => {
  const s = new Session();
  const out = await run(s, "lspci");
  assert.equal(out.length, 12);
  assert.equal(
    out[7],
    "03:00.0 Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5]",
  );
  assert.deepEqual(await run(s, "device-bind 05:00.0 vfio-pci"), [
    'write(/sys/bus/pci/devices/0000:05:00.0/driver_override, "vfio-pci") = 8',
    'write(/sys/bus/pci/drivers/ixgbe/unbind, "0000:05:00.0") = 12',
    'write(/sys/bus/pci/drivers/vfio-pci/bind, "0000:05:00.0") = 12',
  ]);
  assert.ok((await run(s, "lspci -k -s 05:00.0")).includes("\tKernel driver in use: vfio-pci"));
  const pf = await run(s, "device-bind 0000:03:00.0 vfio-pci");
  assert.equal(
    pf[2],
    'write(/sys/bus/pci/drivers/vfio-pci/bind, "0000:03:00.0") = -1 EBUSY (Device or resource busy)',
  );
  assert.deepEqual((await run(s, "dmesg")).map((l) => l.slice(15)), [
    "vfio-pci 0000:03:00.0: Cannot bind to PF with SR-IOV enabled",
    "vfio-pci 0000:03:00.0: probe with driver vfio-pci failed with error -16",
  ]);
  const json = JSON.parse((await run(s, "lspci -s 03:00.0 --json")).join("\n"));
  assert.equal(json[0].driver, null);
  assert.equal(json[0].driverOverride, "vfio-pci");
  assert.deepEqual(json[0].vfs, ["0000:03:00.1"]);
});

Deno.test("REPL: bad device input is one clear error line", async () => {
  const s = new Session();
  assert.match(await fails(s, "device-bind 0a:00.0 vfio-pci"), /no PCI function 0a:00.0/);
  assert.match(await fails(s, "device-bind 05:00.0 e1000"), /no driver e1000/);
  assert.match(await fails(s, "device-unbind 00:01.0"), /no driver bound/);
  assert.match(await fails(s, "inject-fault melt 05:00.0"), /unknown fault kind melt/);
  assert.match(await fails(s, "inject-fault fatal zz"), /no PCI function zz/);
  assert.match(await fails(s, "lspci -z"), /invalid option -- 'z'/);
  assert.match(await fails(s, "device-bind"), /needs BDF/);
});

Deno.test("REPL: inject-fault mmio-disable shows as Mem- and [disabled] in lspci -vv", async () => {
  const s = new Session();
  assert.deepEqual(await run(s, "inject-fault mmio-disable 06:00.0"), [
    "0000:06:00.0: COMMAND.MEMORY cleared (Mem-)",
  ]);
  const vv = await run(s, "lspci -vv -s 06:00.0");
  assert.match(vv[2], /^\tControl: I\/O- Mem- BusMaster\+/);
  assert.match(vv[7], /\[disabled\] \[size=16K\]$/);
});

Deno.test("REPL: an unbind whose remove waits is <unfinished ...> until the driver lets go", async () => {
  const s = new Session();
  const m = s.machine;
  // The machine registers the real vfio-pci (lib/drivers/vfio); this test
  // plays a driver of its own under that name, replacing the stub.
  m.drivers.drivers.set("vfio-pci", vfioPciStub());
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  const wq = new WaitQueue("vfio-pci 0000:05:00.0");
  let released = false;
  m.drivers.register({
    name: "vfio-pci",
    idTable: [],
    probe: () => 0,
    remove: () => ({
      wq,
      wchan: "vfio_unregister_group_dev",
      ready: () => released,
      finish: () => {},
    }),
  });
  assert.equal(nic.driver?.name, "vfio-pci");
  assert.deepEqual(await run(s, "device-unbind 05:00.0"), [
    'write(/sys/bus/pci/drivers/vfio-pci/unbind, "0000:05:00.0") <unfinished ...> ' +
    "(vfio-pci remove waits in vfio_unregister_group_dev)",
  ]);
  assert.equal(m.task(1)!.state, "disk");
  released = true;
  // The driver lets go inside some syscall (vfio: the device fd's close);
  // the woken writer finishes when that call returns.
  m.sched.wakeAll(wq);
  const out = await run(s, "getpid()");
  assert.ok(out.includes("<... write resumed> = 12"), out.join("\n"));
  const k = await run(s, "lspci -k -s 05:00.0");
  assert.ok(!k.some((l) => l.includes("Kernel driver in use")));
});

Deno.test("REPL: dma plays the device; a write into a page freed and reused lands there", async () => {
  const s = new Session();
  const m = s.machine;
  await run(
    s,
    "a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  );
  await run(s, "poke(a, 'x')");
  const phys = m.init.mm.pt.pfnAt(0x7f0000000000 / 4096) * 4096;
  // A long read keeps the engine busy; the write waits behind it.
  assert.match(
    (await run(s, "dma 05:00.0 read 0 4M"))[0],
    /^#1 queued: read 4194304 bytes at 0x0, due in \d+ ns$/,
  );
  await run(s, `dma 05:00.0 write ${phys} 8 "DMA-DATA"`);
  await run(s, "munmap(a, 4K)");
  await run(
    s,
    "b = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  );
  await run(s, "poke(b, 'y')");
  assert.equal(m.init.mm.pt.pfnAt(0x7f0000000000 / 4096) * 4096, phys);
  const before = await run(s, "dma 05:00.0");
  assert.equal(before[0], "0000:05:00.0 DMA: 2 pending, 0 completed; bus addresses are physical");
  assert.match(before[2], /^#2 write 0x[0-9a-f]+ 8: pending \(due in \d+ ns\)$/);
  await run(s, "sleep 1ms");
  const out = await run(s, "peek(b, 8)");
  assert.ok(out.some((l) => l.includes("|DMA-DATA|")), out.join("\n"));
  assert.deepEqual((await run(s, "dma 05:00.0")).slice(1), [
    "#1 read 0x0 4194304: ok",
    `#2 write 0x${phys.toString(16)} 8: ok`,
  ]);
  assert.match(await fails(s, "dma 05:00.0 write 0 0"), /LEN: 1 to 16777216 bytes/);
  assert.match(await fails(s, "dma 05:00.0 read"), /needs ADDR and LEN/);
});

Deno.test("REPL: iommu map/unmap plays a driver's IOVA mappings; refused DMA logs DMAR lines", async () => {
  const s = new Session();
  assert.deepEqual(await run(s, "iommu 05:00.0 map 0x10000 0x1000000 8K w"), ["= 0"]);
  assert.deepEqual(await run(s, "iommu 05:00.0 map 0x11000 0x1000000 4K"), [
    "= -1 EEXIST (File exists)",
  ]);
  assert.deepEqual((await run(s, "dma 05:00.0 read 0x10000 4 --wait")).slice(1), [
    "#1 read 0x10000 4: iommu-fault",
  ]);
  assert.deepEqual((await run(s, "dma 05:00.0 write 0x11ffe 4 --wait")).slice(1), [
    "#2 write 0x11ffe 4: iommu-fault (2 of 4 bytes)",
  ]);
  assert.deepEqual(await run(s, "iommu 05:00.0"), [
    "0000:05:00.0: IOMMU on, group 9, domain 1",
    "  0x10000 -> pfn 0x1000 -w",
    "  0x11000 -> pfn 0x1001 -w",
    "  fault: DMA read at 0x10000",
    "  fault: DMA write at 0x12000",
  ]);
  assert.deepEqual((await run(s, "dmesg")).map((l) => l.slice(15)), [
    "DMAR: [DMA Read NO_PASID] Request device [05:00.0] fault addr 0x10000 [fault reason 0x06] " +
    "PTE Read access is not set",
    "DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x12000 [fault reason 0x05] " +
    "PTE Write access is not set",
  ]);
  assert.deepEqual(await run(s, "iommu 05:00.0 unmap 0x10000 8K"), ["= 8192"]);
  await run(s, "iommu 05:00.0 detach");
  assert.equal(s.machine.pci.iommu.domains.length, 0);
  await run(s, "policy iommu.enabled off");
  assert.deepEqual(await run(s, "iommu 06:00.0 map 0 0 4K"), ["= -1 ENODEV (No such device)"]);
  assert.match(await fails(s, "iommu 05:00.0 map 0 1 4K"), /ADDR: page aligned/);
  assert.match(await fails(s, "iommu 05:00.0 map 0 0 4K x"), /PROT: r, w or rw/);
});

Deno.test("completion: hyphenated commands, BDFs, drivers and fault kinds", async () => {
  const { complete } = await import("../../repl/complete.ts");
  const s = new Session();
  assert.deepEqual(complete(s, "device-b"), [["device-bind"], "device-b"]);
  assert.deepEqual(complete(s, "device-bind 05"), [["05:00.0"], "05"]);
  assert.deepEqual(complete(s, "device-bind 05:00.0 vf"), [["vfio-pci"], "vf"]);
  assert.deepEqual(complete(s, "inject-fault hot"), [["hot-unplug"], "hot"]);
  // Subtraction is still an expression.
  assert.deepEqual(complete(s, "x = a-b")[1], "b");
});

Deno.test("REPL: doorbells shows the register writes a function received", async () => {
  const s = new Session();
  await run(s, 'fd = open("/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR)');
  await run(s, "bar = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)");
  await run(s, 'poke(bar + 0x800, "\\x01\\x00\\x00\\x00")');
  await run(s, "inject-fault mmio-disable 05:00.0");
  await run(s, "poke(bar + 0x804, 7)");
  const out = await run(s, "doorbells 05:00.0");
  assert.equal(out.length, 2);
  assert.equal(out[0], "0000:05:00.0: 1 register writes");
  assert.match(out[1], /^\[ +\d+\.\d{6}\] BAR0\+0x800 <- 01 00 00 00$/);
  const json = JSON.parse((await run(s, "doorbells 05:00.0 --json")).join("\n"));
  assert.deepEqual(json[0].bytes, [1, 0, 0, 0]);
});
