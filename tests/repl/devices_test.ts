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
  assert.match(await fails(s, "lspci -x"), /invalid option -- 'x'/);
  assert.match(await fails(s, "device-bind"), /needs BDF/);
});

Deno.test("REPL: inject-fault mmio-disable shows as Mem- and [disabled] in lspci -vv", async () => {
  const s = new Session();
  assert.deepEqual(await run(s, "inject-fault mmio-disable 06:00.0"), [
    "0000:06:00.0: COMMAND.MEMORY cleared (Mem-)",
  ]);
  const vv = await run(s, "lspci -vv -s 06:00.0");
  assert.match(vv[2], /^\tControl: I\/O- Mem- BusMaster\+/);
  assert.match(vv[6], /\[disabled\] \[size=16K\]$/);
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
