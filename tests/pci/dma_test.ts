import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  IOMMU_READ,
  IOMMU_WRITE,
  Machine,
  type Process,
  syscall,
} from "../../mod.ts";
import { mapBar } from "./testbar.ts";

const sys = (p: Process, name: string, ...args: number[]) => syscall(p, name, args).ret;
const MAP = [0x7f0000000000, 4096, 3, 0x32, -1, 0] as const; // RW, PRIVATE|ANON|FIXED

/** A fresh anonymous page in `p` holding `fill`; returns its address and pfn. */
function page(p: Process, fill: number): { addr: number; pfn: number } {
  const a = sys(p, "mmap", ...MAP);
  cpuWrite(p, a, new Uint8Array(4096).fill(fill));
  return { addr: a, pfn: p.mm.pt.pfnAt(a / 4096) };
}

/** Lets virtual time pass until every queued DMA op of the machine has had its turn. */
function drain(m: Machine): void {
  m.sched.advanceTo(m.clock.ns + 1_000_000);
}

Deno.test("DMA without an IOMMU domain: physical addresses, completion later on the clock", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const { addr, pfn } = page(p, 0x11);
  const eng = m.pci.dma(m.pci.find("05:00.0")!);
  const from = m.events.end;
  const t0 = m.clock.ns;
  const op = eng.submit("write", pfn * 4096 + 8, 4, Uint8Array.of(1, 2, 3, 4));
  assert.ok(typeof op !== "string");
  assert.equal(op.due, t0 + 1000 + 1);
  // Nothing has happened yet: the transfer runs at completion.
  assert.equal(cpuRead(p, addr + 8, 1).bytes![0], 0x11);
  const rd = eng.submit("read", pfn * 4096, 16) as Exclude<typeof op, string>;
  drain(m);
  assert.deepEqual([...cpuRead(p, addr + 8, 4).bytes!], [1, 2, 3, 4]);
  assert.equal(op.status, "ok");
  assert.deepEqual([...rd.data!.subarray(6, 10)], [0x11, 0x11, 1, 2]);
  const ev = m.events.since(from).events.filter((e) => e.kind === "dma");
  assert.deepEqual(ev.map((e) => e.kind === "dma" && [e.id, e.status, e.done]), [
    [1, "ok", 4],
    [2, "ok", 16],
  ]);
  assert.ok(ev[1].ns > ev[0].ns, "ops complete in order, one after the other");
});

Deno.test("a DMA write to a frame freed and reused before it runs lands in the new owner's page", () => {
  const m = new Machine({ pci: "default" });
  const a = m.init;
  const { addr, pfn } = page(a, 0xaa);
  const eng = m.pci.dma(m.pci.find("05:00.0")!);
  // The device is busy with a long transfer (4 MiB: half a millisecond);
  // queued behind it, a write to a page the driver handed it and then
  // stopped holding.
  eng.submit("read", 0, 4 << 20);
  eng.submit("write", pfn * 4096, 8, new TextEncoder().encode("DMA-DATA"));
  assert.equal(sys(a, "munmap", addr, 4096), 0);
  const b = m.spawn("victim");
  const v = page(b, 0x55);
  assert.equal(v.pfn, pfn, "the allocator handed the same frame to another process");
  drain(m);
  assert.equal(new TextDecoder().decode(cpuRead(b, v.addr, 8).bytes!), "DMA-DATA");
  assert.equal(cpuRead(b, v.addr + 8, 1).bytes![0], 0x55);
});

Deno.test("IOMMU domain: mapped IOVAs translate, the rest faults with the DMAR line", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const { addr, pfn } = page(p, 0);
  const nic = m.pci.find("05:00.0")!;
  const dom = m.pci.iommu.allocDomain();
  assert.equal(m.pci.iommu.attach(nic, dom), 0);
  assert.equal(dom.map(0x10000, pfn, 4096, IOMMU_READ | IOMMU_WRITE), 0);
  assert.equal(dom.map(0x10000, pfn, 4096, IOMMU_READ), -17);
  assert.equal(dom.map(0x20001, pfn, 4096, IOMMU_READ), -22);
  assert.equal(dom.map(0x30000, pfn, 4096, IOMMU_READ), 0);
  const eng = m.pci.dma(nic);
  const ok = eng.submit("write", 0x10000 + 4, 2, Uint8Array.of(7, 8));
  const ro = eng.submit("write", 0x30000, 2, Uint8Array.of(9, 9));
  const un = eng.submit("read", 0x40000, 4);
  drain(m);
  assert.deepEqual([...cpuRead(p, addr + 4, 2).bytes!], [7, 8]);
  assert.deepEqual([typeof ok !== "string" && ok.status, typeof ro !== "string" && ro.status], [
    "ok",
    "iommu-fault",
  ]);
  assert.equal(typeof un !== "string" && un.status, "iommu-fault");
  assert.deepEqual(m.dmesg.lines.map((l) => l.text), [
    "DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x30000 [fault reason 0x05] " +
    "PTE Write access is not set",
    "DMAR: [DMA Read NO_PASID] Request device [05:00.0] fault addr 0x40000 [fault reason 0x06] " +
    "PTE Read access is not set",
  ]);
  assert.equal(m.pci.iommu.faults.length, 2);
  assert.equal(dom.unmap(0x10000, 8192), 4096);
  // Another function is not in the domain: identity.
  assert.equal(m.pci.iommu.translate(m.pci.find("06:00.0")!, 0x30000, true), 0x30000);
  assert.equal(m.pci.iommu.attach(nic, m.pci.iommu.allocDomain()), -16);
});

Deno.test("iommu.deviceOnFault: hang stalls the engine, ignore skips the page; iommu.enabled=off", () => {
  for (const mode of ["hang", "ignore"] as const) {
    const m = new Machine({ pci: "default", policies: { "iommu.deviceOnFault": mode } });
    const nic = m.pci.find("05:00.0")!;
    const dom = m.pci.iommu.allocDomain();
    m.pci.iommu.attach(nic, dom);
    const { pfn } = page(m.init, 3);
    dom.map(0x2000, pfn, 4096, IOMMU_READ);
    const eng = m.pci.dma(nic);
    const bad = eng.submit("read", 0x1000, 8192);
    const after = eng.submit("read", 0x2000, 4);
    drain(m);
    if (typeof bad === "string" || typeof after === "string") throw new Error(bad + "");
    if (mode === "hang") {
      assert.equal(eng.hung, true);
      assert.deepEqual([bad.status, after.status], ["pending", "pending"]);
    } else {
      assert.equal(bad.status, "ok");
      assert.equal(bad.data![0], 0);
      assert.equal(bad.data![4096], 3);
      assert.equal(after.status, "ok");
    }
  }
  const m = new Machine({ pci: "default", policies: { "iommu.enabled": "off" } });
  const nic = m.pci.find("05:00.0")!;
  assert.equal(m.pci.iommu.attach(nic, m.pci.iommu.allocDomain()), -19);
});

Deno.test("DMA: bus mastering off aborts, a hole is an Unsupported Request, a BAR is peer-to-peer", () => {
  const m = new Machine({ pci: "default" });
  const nic = m.pci.find("05:00.0")!, gpu = m.pci.find("04:00.0")!;
  const eng = m.pci.dma(nic);
  const p2p = eng.submit("write", gpu.bars[0]!.addr + 0x40, 4, Uint8Array.of(1, 0, 0, 0));
  const hole = eng.submit("read", 0x20_0000_0000, 4);
  drain(m);
  assert.equal(typeof p2p !== "string" && p2p.status, "ok");
  assert.deepEqual(gpu.doorbells.map((d) => d.offset), [0x40]);
  assert.equal(typeof hole !== "string" && hole.status, "unsupported-request");
  nic.setCommand(nic.command & ~4);
  const off = eng.submit("read", 0, 4);
  drain(m);
  assert.equal(typeof off !== "string" && off.status, "aborted");
  assert.match(eng.submit("read", 0, 0) as string, /DMA length 0/);
  assert.match(eng.submit("write", 0, 4) as string, /needs 4 bytes/);
});

Deno.test("inject-fault dma-error and iommu-fault reach the DMA engine and the IOMMU", async () => {
  const { injectFault } = await import("../../mod.ts");
  const m = new Machine({ pci: "default" });
  const eng = m.pci.dma(m.pci.find("06:00.0")!);
  assert.ok("ok" in injectFault(m, "dma-error", "06:00.0"));
  const op = eng.submit("read", 0, 4);
  const op2 = eng.submit("read", 0, 4);
  drain(m);
  assert.deepEqual([op, op2].map((o) => typeof o !== "string" && o.status), ["error", "ok"]);
  assert.ok("ok" in injectFault(m, "iommu-fault", "06:00.0"));
  assert.match(
    m.dmesg.lines.at(-1)!.text,
    /^DMAR: \[DMA Write NO_PASID\] Request device \[06:00.0\] fault addr 0x0 /,
  );
  const off = new Machine({ pci: "default", policies: { "iommu.enabled": "off" } });
  assert.deepEqual(injectFault(off, "iommu-fault", "06:00.0"), {
    error: "iommu-fault: iommu.enabled is off",
  });
  assert.deepEqual(checkInvariants(m), []);
  void mapBar;
});

Deno.test("check: device invariants catch a free frame mapped for DMA and a moved BAR", () => {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  assert.deepEqual(checkInvariants(m), []);
  const { addr, pfn } = page(p, 1);
  const dom = m.pci.iommu.allocDomain();
  m.pci.iommu.attach(m.pci.find("05:00.0")!, dom);
  dom.map(0x1000, pfn, 4096, IOMMU_WRITE);
  assert.deepEqual(checkInvariants(m), []);
  // The mapper forgot to pin: the page goes back to the allocator while mapped.
  sys(p, "munmap", addr, 4096);
  assert.deepEqual(checkInvariants(m), [
    `IOMMU domain 1: IOVA 0x1000 maps free frame 0x${pfn.toString(16)}`,
  ]);
  dom.unmap(0x1000, 4096);
  const nvme = m.pci.find("06:00.0")!;
  nvme.config[0x10] ^= 0x10;
  assert.deepEqual(checkInvariants(m), [
    `0000:06:00.0 BAR0: the BAR register does not hold 0x${nvme.bars[0]!.addr.toString(16)}`,
  ]);
});

Deno.test("DMA onComplete: the driver's completion path runs in order, after the event", () => {
  const m = new Machine({ pci: "default" });
  const eng = m.pci.dma(m.pci.find("06:00.0")!);
  const seen: string[] = [];
  const cb = (op: { id: number; status: string }) => {
    seen.push(
      `#${op.id} ${op.status} events=${
        m.events.since(0).events.filter((e) => e.kind === "dma").length
      }`,
    );
  };
  eng.submit("read", 0, 64, undefined, cb);
  eng.submit("read", 0x20_0000_0000, 4, undefined, cb);
  assert.deepEqual(seen, []);
  drain(m);
  assert.deepEqual(seen, ["#1 ok events=1", "#2 unsupported-request events=2"]);
});
