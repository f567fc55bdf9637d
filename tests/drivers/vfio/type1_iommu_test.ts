/**
 * vfio type1 through the IOMMU (lib/drivers/vfio/type1.ts): the container's
 * paging domain, MAP_DMA mapping the pinned pages at their IOVAs, the
 * device's DMA translated through it (unmapped IOVAs fault with the DMAR
 * line), UNMAP_DMA and release taking the IOVAs away, and the locked_vm
 * charge against RLIMIT_MEMLOCK (vfio_pin_pages_remote).
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  encodeStruct,
  Machine,
  type MachineConfig,
  type Process,
  syscall,
  VFIO_DMA_MAP,
  VFIO_DMA_UNMAP,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_SET_IOMMU,
  VFIO_TYPE1v2_IOMMU,
} from "../../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";
import { EBUSY, ENOMEM } from "../../../lib/abi/errno.ts";
import { RLIMIT_MEMLOCK } from "../../../lib/abi/resource.ts";
import { Session } from "../../../repl/session.ts";

const A = 0x7f0000000000;
const CONFIG = 7n << 40n;
const K4 = 4096;
const ioctl = (p: Process, fd: number, cmd: number, arg: unknown = 0n) =>
  syscall(p, "ioctl", [fd, cmd, arg]).ret;
const lit = (layout: typeof VFIO_DMA_MAP, fields: Record<string, bigint>) => ({
  value: 0n,
  literal: encodeStruct(layout, new Map(Object.entries(fields))) as Uint8Array,
});
const intRef = (v: number) => ({ value: 0n, literal: Uint8Array.of(v, 0, 0, 0) });

/** 05:00.0 on vfio-pci, its group in a type1 container; returns the fds. */
function setup(config: MachineConfig = {}) {
  const m = new Machine({ pci: "default", ...config });
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
  const vdev = m.vfio.device(nic)!;
  const p = m.init;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${vdev.group.id}`, O_RDWR]).ret;
  assert.equal(ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c)), 0);
  const set = ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
  let d = -1;
  if (set === 0) {
    // The user turns bus mastering on through the config region (COMMAND |= MASTER).
    d = ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, new TextEncoder().encode(nic.bdf));
    const cmd = syscall(p, "pread", [d, new Uint8Array(0), 2, CONFIG + 4n]).data!;
    const v = cmd[0] | 4;
    assert.equal(syscall(p, "pwrite", [d, Uint8Array.of(v, cmd[1]), 2, CONFIG + 4n]).ret, 2);
  }
  syscall(p, "mmap", [
    A,
    8 * K4,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
    -1,
    0,
  ]);
  const map = (iova: number, size: number, flags = 3n) =>
    ioctl(
      p,
      c,
      VFIO_IOMMU_MAP_DMA,
      lit(VFIO_DMA_MAP, {
        argsz: 32n,
        flags,
        vaddr: BigInt(A),
        iova: BigInt(iova),
        size: BigInt(size),
      }),
    );
  const unmap = (iova: number, size: number) =>
    ioctl(
      p,
      c,
      VFIO_IOMMU_UNMAP_DMA,
      lit(VFIO_DMA_UNMAP, { argsz: 24n, iova: BigInt(iova), size: BigInt(size) }),
    );
  return { m, p, nic, c, g, d, set, map, unmap };
}

const drain = (m: Machine) => m.sched.advanceTo(m.clock.ns + 1_000_000);

Deno.test("type1: MAP_DMA maps the pinned pages in the group's domain; the device's DMA goes through it", () => {
  const { m, p, nic, c, g, d, set, map, unmap } = setup();
  assert.equal(set, 0);
  const dom = m.pci.iommu.domainOf(nic)!;
  assert.ok(dom !== null, "SET_IOMMU attached the group's function");
  cpuWrite(p, A, new Uint8Array(2 * K4).fill(0x11));
  assert.equal(map(0x100000, 2 * K4), 0);
  assert.deepEqual([...dom.ptes].map(([pg, e]) => [pg * K4, e.pfn, e.prot]), [
    [0x100000, p.mm.pt.pfnAt(A / K4), 3],
    [0x101000, p.mm.pt.pfnAt(A / K4 + 1), 3],
  ]);
  const eng = m.pci.dma(nic);
  const ok = eng.submit("write", 0x101000 + 8, 4, Uint8Array.of(1, 2, 3, 4));
  const miss = eng.submit("write", 0x200000, 4, Uint8Array.of(9, 9, 9, 9));
  drain(m);
  assert.equal(typeof ok !== "string" && ok.status, "ok");
  assert.deepEqual([...cpuRead(p, A + K4 + 8, 4).bytes!], [1, 2, 3, 4]);
  assert.equal(typeof miss !== "string" && miss.status, "iommu-fault");
  assert.equal(
    m.dmesg.lines.at(-1)!.text,
    "DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x200000 [fault reason 0x05] " +
      "PTE Write access is not set",
  );
  // A read-only mapping (VFIO_DMA_MAP_FLAG_READ): the device may read, not write.
  assert.equal(map(0x300000, K4, 1n), 0);
  assert.equal(dom.ptes.get(0x300000 / K4)!.prot, 1);
  assert.deepEqual(checkInvariants(m), []);
  // UNMAP_DMA: the IOVAs go before the pins; the device faults there now.
  assert.equal(unmap(0x100000, 2 * K4), 0);
  assert.equal(dom.toPhys(0x100000), null);
  const late = eng.submit("read", 0x100000, 4);
  drain(m);
  assert.equal(typeof late !== "string" && late.status, "iommu-fault");
  // The last group out: every mapping goes and the domain is freed.
  syscall(p, "close", [d]);
  syscall(p, "close", [g]);
  void c;
  assert.equal(m.pci.iommu.domainOf(nic), null);
  assert.equal(m.pci.iommu.domains.includes(dom), false);
  assert.equal(m.vmstat.follPinAcquired, m.vmstat.follPinReleased);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("type1: a function already in another domain is EBUSY at SET_IOMMU", () => {
  const m = new Machine({ pci: "default" });
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
  // Attached elsewhere before the container asks.
  const other = m.pci.iommu.allocDomain();
  assert.equal(m.pci.iommu.attach(nic, other), 0);
  const p = m.init;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${m.vfio.device(nic)!.group.id}`, O_RDWR]).ret;
  assert.equal(ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c)), 0);
  assert.equal(ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -EBUSY);
  assert.deepEqual(m.pci.iommu.domains, [other], "the container's domain was freed again");
  assert.equal(m.pci.iommu.domainOf(nic), other);
});

Deno.test("type1: locked_vm is charged; past RLIMIT_MEMLOCK MAP_DMA is ENOMEM (not for root)", () => {
  const { m, p, map, unmap } = setup({ root: false });
  assert.equal(
    syscall(p, "setrlimit", [RLIMIT_MEMLOCK, { value: 0n, literal: lim(4 * K4) }]).ret,
    0,
  );
  assert.equal(map(0x100000, 3 * K4), 0);
  const pins = m.vmstat.follPinAcquired;
  assert.equal(map(0x200000, 2 * K4), -ENOMEM);
  assert.equal(
    m.dmesg.lines.at(-1)!.text,
    "vfio_pin_pages_remote: RLIMIT_MEMLOCK (16384) exceeded",
  );
  assert.equal(m.vmstat.follPinAcquired - pins, m.vmstat.follPinReleased, "the pins were undone");
  assert.equal(map(0x200000, K4), 0, "one page still fits");
  // Unmapping gives the charge back.
  assert.equal(unmap(0x100000, 3 * K4), 0);
  assert.equal(map(0x300000, 3 * K4), 0);
  const root = setup();
  assert.equal(
    syscall(root.p, "setrlimit", [RLIMIT_MEMLOCK, { value: 0n, literal: lim(K4) }]).ret,
    0,
  );
  assert.equal(root.map(0x100000, 4 * K4), 0, "CAP_IPC_LOCK is never limited");
});

/** struct rlimit {cur, max} for RLIMIT_MEMLOCK. */
function lim(bytes: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(bytes), true);
  v.setBigUint64(8, BigInt(bytes), true);
  return b;
}

Deno.test("type1 with iommu.enabled=off: pins only, no domain, bus addresses stay physical", () => {
  const { m, nic, set, map } = setup({ policies: { "iommu.enabled": "off" } });
  assert.equal(set, 0);
  assert.equal(map(0x100000, K4), 0);
  assert.equal(m.pci.iommu.domainOf(nic), null);
  assert.equal(m.pci.iommu.domains.length, 0);
});

Deno.test("REPL: the dma command through a vfio device hits the mapped IOVA; elsewhere the DMAR line", async () => {
  const s = new Session();
  const run = async (l: string) => (await s.run(l)).output;
  for (
    const l of [
      "device-bind 05:00.0 vfio-pci",
      'c = open("/dev/vfio/vfio", O_RDWR)',
      'g = open("/dev/vfio/10", O_RDWR)',
      "ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])",
      "ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
      'd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
      'pwrite(d, "\\x06\\x00", 2, 0x70000000004)',
      "buf = mmap(0x7f0080000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      'poke(buf, "........")',
    ]
  ) await run(l);
  assert.deepEqual(
    await run(
      "ioctl(c, VFIO_IOMMU_MAP_DMA, {argsz=32, flags=VFIO_DMA_MAP_FLAG_READ|VFIO_DMA_MAP_FLAG_WRITE, vaddr=buf, iova=0x100000, size=16K})",
    ),
    ["= 0"],
  );
  await run('dma 05:00.0 write 0x100000 8 "DMA-DATA"');
  await run('dma 05:00.0 write 0x200000 8 "DMA-DATA"');
  await run("sleep 1ms");
  assert.match((await run("peek(buf, 8)"))[0], /\|DMA-DATA\|$/);
  const log = await run("dmesg");
  assert.match(
    log.at(-1)!,
    /DMAR: \[DMA Write NO_PASID\] Request device \[05:00\.0\] fault addr 0x200000 \[fault reason 0x05\] PTE Write access is not set$/,
  );
  const iommu = await run("iommu 05:00.0");
  assert.match(iommu[0], /^0000:05:00\.0: IOMMU on, group \d+, domain \d+$/);
  assert.equal(iommu.filter((l) => / -> pfn /.test(l)).length, 4);
});
