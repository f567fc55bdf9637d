/**
 * vfio-pci (lib/drivers/vfio): container, group and device fd, region
 * info, BAR mmap and its errnos, the memory-disable zap and SIGBUS, EIO
 * from region read/write, each vfio.faultImpl design, type1 pins, and
 * removal that waits for the user.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  decodeStruct,
  EFD_NONBLOCK,
  encodeStruct,
  formatStruct,
  injectFault,
  Machine,
  mapsLine,
  type Process,
  syscall,
  VFIO_CHECK_EXTENSION,
  VFIO_DEVICE_GET_INFO,
  VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_INFO,
  VFIO_DEVICE_RESET,
  VFIO_DEVICE_SET_IRQS,
  VFIO_DMA_MAP,
  VFIO_DMA_UNMAP,
  VFIO_GET_API_VERSION,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_IRQ_SET,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_REGION_INFO,
  VFIO_REQUEST_INTERVAL_NS,
  VFIO_SET_IOMMU,
  VFIO_TYPE1v2_IOMMU,
  VFIO_UNMAP_ALL,
  vfioStatusLines,
} from "../../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";
import { EBADF, EBUSY, EEXIST, EINVAL, EIO, ENODEV, ENOTTY } from "../../../lib/abi/errno.ts";
import { BUS_ADRERR, SIGBUS } from "../../../lib/abi/signal.ts";
import type { KnobValue } from "../../../lib/policy.ts";
import { smapLines } from "../../../lib/proc/smaps.ts";

const RW = PROT_READ | PROT_WRITE;
const BAR0 = 0n;
const CONFIG = 7n << 40n;
const A = 0x7f0000000000;

type Impl = KnobValue<"vfio.faultImpl">;

const lit = (layout: typeof VFIO_REGION_INFO, fields: Record<string, bigint>) => ({
  value: 0n,
  literal: encodeStruct(layout, new Map(Object.entries(fields))) as Uint8Array,
});
const intRef = (v: number) => ({ value: 0n, literal: Uint8Array.of(v, 0, 0, 0) });
const ioctl = (p: Process, fd: number, cmd: number, arg: unknown = 0n) =>
  syscall(p, "ioctl", [fd, cmd, arg]);
const texts = (m: Machine) => m.dmesg.lines.map((l) => l.text);

/** Binds 05:00.0 to vfio-pci and opens container, group and device as a user would. */
function setup(opts: { impl?: Impl; policies?: Record<string, string> } = {}) {
  const m = new Machine({
    pci: "default",
    policies: { ...(opts.impl ? { "vfio.faultImpl": opts.impl } : {}), ...opts.policies },
  });
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
  const vdev = m.vfio.device(nic)!;
  const p = m.init;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${vdev.group.id}`, O_RDWR]).ret;
  assert.equal(ioctl(p, c, VFIO_GET_API_VERSION).ret, 0);
  assert.equal(ioctl(p, c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU).ret, 1);
  assert.equal(ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c)).ret, 0);
  assert.equal(ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU).ret, 0);
  const d = ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, new TextEncoder().encode(nic.bdf)).ret;
  assert.ok(d > 0, `device fd ${d}`);
  return { m, p, nic, vdev, c, g, d };
}

/** pwrite of COMMAND through the config region. */
const setCommand = (p: Process, d: number, v: number) =>
  syscall(p, "pwrite", [d, Uint8Array.of(v & 0xff, v >> 8), 2, CONFIG + 4n]).ret;

Deno.test("vfio: region info offsets are index << 40; BARs, config space, VGA refused", () => {
  const { m, p, d } = setup();
  const info = (index: number) => {
    const arg = lit(VFIO_REGION_INFO, { argsz: 32n, index: BigInt(index) });
    const r = ioctl(p, d, VFIO_DEVICE_GET_REGION_INFO, arg).ret;
    return { r, s: formatStruct(VFIO_REGION_INFO, decodeStruct(VFIO_REGION_INFO, arg.literal)) };
  };
  assert.deepEqual(info(0), {
    r: 0,
    s: "{argsz=32, flags=VFIO_REGION_INFO_FLAG_READ|VFIO_REGION_INFO_FLAG_WRITE|" +
      "VFIO_REGION_INFO_FLAG_MMAP, index=0, cap_offset=0, size=0x80000, offset=0}",
  });
  // BAR2 is the 82599's I/O BAR: no MMAP; BAR1 is BAR0's upper half: empty.
  assert.match(
    info(2).s,
    /flags=VFIO_REGION_INFO_FLAG_READ\|VFIO_REGION_INFO_FLAG_WRITE, index=2, cap_offset=0, size=0x20, offset=0x20000000000/,
  );
  assert.match(info(1).s, /flags=0, index=1, cap_offset=0, size=0, offset=0x10000000000/);
  assert.match(info(7).s, /size=0x1000, offset=0x70000000000/);
  assert.equal(info(8).r, -EINVAL, "no VGA");
  assert.equal(info(9).r, -EINVAL);
  const dev = lit(VFIO_DEVICE_INFO, { argsz: 24n });
  assert.equal(ioctl(p, d, VFIO_DEVICE_GET_INFO, dev).ret, 0);
  assert.equal(
    formatStruct(VFIO_DEVICE_INFO, decodeStruct(VFIO_DEVICE_INFO, dev.literal)),
    "{argsz=24, flags=VFIO_DEVICE_FLAGS_RESET|VFIO_DEVICE_FLAGS_PCI, num_regions=9, num_irqs=5, cap_offset=0}",
  );
  // The first open enabled the device: ixgbe's unbind left Memory on, so
  // pci_enable_device changed nothing and said nothing.
  assert.equal(m.pci.find("05:00.0")!.command & 3, 3);
  assert.ok(!texts(m).some((t) => /enabling device/.test(t)));
});

Deno.test("vfio: the group and container refuse out-of-order use", () => {
  const m = new Machine({ pci: "default" });
  const nic = m.pci.find("05:00.0")!;
  m.drivers.unbind(nic);
  nic.driverOverride = "vfio-pci";
  m.drivers.bind(nic, "vfio-pci");
  const p = m.init;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${m.vfio.device(nic)!.group.id}`, O_RDWR]).ret;
  assert.equal(ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU).ret, -EINVAL, "no group yet");
  assert.equal(ioctl(p, c, VFIO_IOMMU_MAP_DMA, 0n).ret, -ENOTTY, "no backend yet");
  const name = new TextEncoder().encode(nic.bdf);
  assert.equal(ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, name).ret, -EINVAL, "no container");
  const path = `/dev/vfio/${m.vfio.device(nic)!.group.id}`;
  assert.equal(syscall(p, "open", [path, O_RDWR]).ret, -EBUSY, "one open of a group at a time");
  assert.equal(ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c)).ret, 0);
  assert.equal(ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c)).ret, -EINVAL, "already set");
  assert.equal(ioctl(p, c, VFIO_SET_IOMMU, 2).ret, -ENODEV, "SPAPR TCE is not here");
  assert.equal(ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU).ret, 0);
  assert.equal(ioctl(p, c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL).ret, 1);
  const short = new TextEncoder().encode(nic.slot);
  assert.equal(
    ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, short).ret,
    -ENODEV,
    "dev_name has the domain",
  );
});

Deno.test("vfio mmap: EINVAL for private, bad index, ROM/config, I/O BAR, past the BAR; flags io pf de dd", () => {
  const { p, d } = setup();
  const mmap = (len: number, flags: number, off: bigint) =>
    syscall(p, "mmap", [0, len, RW, flags, d, off]).ret;
  assert.equal(mmap(4096, MAP_PRIVATE, BAR0), -EINVAL, "!VM_SHARED");
  assert.equal(mmap(4096, MAP_SHARED, 9n << 40n), -EINVAL, "index past the regions");
  assert.equal(mmap(4096, MAP_SHARED, 6n << 40n), -EINVAL, "ROM");
  assert.equal(mmap(4096, MAP_SHARED, CONFIG), -EINVAL, "config space");
  assert.equal(mmap(4096, MAP_SHARED, 2n << 40n), -EINVAL, "I/O BAR");
  assert.equal(mmap(0x81000, MAP_SHARED, BAR0), -EINVAL, "longer than BAR0");
  assert.equal(mmap(4096, MAP_SHARED, 0x80000n), -EINVAL, "starts past BAR0");
  const a = mmap(0x80000, MAP_SHARED, BAR0);
  assert.ok(a > 0);
  const vma = p.mm.vmas.find(a)!;
  // Flags set at mmap time, before any fault; vm_pgoff stays index << 28 (6.10+).
  assert.equal(
    smapLines(vma).find((l) => l.startsWith("VmFlags:")),
    "VmFlags: rd wr sh mr mw ms pf io de dd ",
  );
  assert.match(mapsLine(vma), / rw-s 00000000 00:0f \d+ +anon_inode:\[vfio-device\]$/);
  assert.equal(p.mm.pt.bitsAt(a / 4096), 0, "nothing mapped before the first touch");
});

/** Maps BAR0 at A and returns the address. */
function mapBar(p: Process, d: number, len = 0x80000): number {
  const a = syscall(p, "mmap", [A, len, RW, MAP_SHARED | MAP_FIXED, d, BAR0]).ret;
  assert.equal(a, A);
  return a;
}

const u32 = (b: Uint8Array | undefined) =>
  new DataView(b!.buffer, b!.byteOffset, 4).getUint32(0, true);

Deno.test("seed 002: clearing MEMORY zaps the BAR; a touch is SIGBUS at the exact address, read EIO; re-enable faults back", () => {
  const { m, p, d, nic, vdev } = setup();
  mapBar(p, d);
  const from = m.dmesg.lines.length;
  // First touch: one fault maps it; the register model answers.
  assert.equal(u32(cpuRead(p, A + 0x10, 4).bytes), 0xc0de0010);
  assert.equal(cpuWrite(p, A + 0x40, Uint8Array.of(1, 0, 0, 0)).sig, undefined);
  assert.deepEqual(nic.doorbells.at(-1)!.bytes, [1, 0, 0, 0]);
  assert.equal(nic.doorbells.at(-1)!.offset, 0x40);
  assert.equal(setCommand(p, d, nic.command & ~2), 2);
  assert.equal(nic.command & 2, 0, "the physical register was written");
  assert.equal(p.mm.pt.bitsAt(A / 4096), 0, "zapped");
  const r = cpuRead(p, A + 0x123, 4);
  assert.deepEqual(r.sig && { signo: r.sig.signo, code: r.sig.code, addr: r.sig.addr }, {
    signo: SIGBUS,
    code: BUS_ADRERR,
    addr: A + 0x123,
  });
  assert.equal(syscall(p, "pread", [d, new Uint8Array(4), 4, BAR0]).ret, -EIO);
  assert.equal(syscall(p, "pwrite", [d, "abcd", 4, BAR0]).ret, -EIO);
  // Silence in dmesg.
  assert.deepEqual(texts(m).slice(from), []);
  // Re-enable: the next touch faults back in.
  assert.equal(setCommand(p, d, nic.command | 2), 2);
  assert.equal(u32(cpuRead(p, A + 0x10, 4).bytes), 0xc0de0010);
  assert.equal(u32(syscall(p, "pread", [d, new Uint8Array(4), 4, BAR0 + 0x10n]).data), 0xc0de0010);
  assert.equal(vdev.zaps, 1);
  assert.deepEqual(checkInvariants(m), []);
});

/** Faults and PTEs after one touch of page 5 of a 32-page mapping. */
function firstTouch(impl: Impl, policies: Record<string, string> = {}) {
  const { m, p, d, vdev } = setup({ impl, policies });
  mapBar(p, d, 0x20000);
  const from = m.dmesg.lines.length;
  const r = cpuRead(p, A + 5 * 4096, 4);
  let present = 0;
  for (let i = 0; i < 32; i++) if (p.mm.pt.bitsAt(A / 4096 + i) !== 0) present++;
  return { m, p, d, vdev, r, present, faults: vdev.faults.length, log: texts(m).slice(from) };
}

Deno.test("vfio.faultImpl: faults per first touch and what each design fills", () => {
  const pre = firstTouch("insert-pfn+prefault");
  assert.deepEqual([pre.faults, pre.present], [1, 32]);
  const one = firstTouch("insert-pfn");
  assert.deepEqual([one.faults, one.present], [1, 1]);
  const huge = firstTouch("huge-fault");
  // A 128 KiB mapping holds no aligned 2 MiB block: falls back to a page.
  assert.deepEqual([huge.faults, huge.present, huge.vdev.faults[0].order], [1, 1, 0]);
  const remap = firstTouch("remap-in-fault", { "mm.vmFlagsAssert": "none" });
  assert.deepEqual([remap.faults, remap.present], [1, 32]);
  assert.deepEqual(remap.log, []);
  const old = firstTouch("mmap-remap");
  assert.deepEqual([old.faults, old.present], [0, 32], "mapped at mmap, no fault handler");
});

Deno.test("remap-in-fault: the vm_flags WARNING per mm.vmFlagsAssert (lockdep 6.3-6.9, always 6.10-rc)", () => {
  const lockdep = firstTouch("remap-in-fault", {
    "mm.vmFlagsAssert": "lockdep-only",
    "config.LOCKDEP": "y",
  });
  assert.ok(
    lockdep.log.some((l) =>
      /WARNING: CPU: 0 PID: 1 at include\/linux\/mmap_lock.h:161 remap_pfn_range_notrack/.test(l)
    ),
    lockdep.log.join("\n"),
  );
  assert.ok(lockdep.log.includes(" vfio_pci_mmap_fault"), lockdep.log.join("\n"));
  const quiet = firstTouch("remap-in-fault", { "mm.vmFlagsAssert": "lockdep-only" });
  assert.deepEqual(quiet.log, [], "no lockdep, no warning");
  const always = firstTouch("remap-in-fault", { "mm.vmFlagsAssert": "always" });
  assert.ok(
    always.log.some((l) => /at include\/linux\/rwsem.h:85 remap_pfn_range_notrack/.test(l)),
  );
  assert.equal(always.m.taint.text(), "Tainted: W");
});

Deno.test("mmap-remap (<=5.7): clearing MEMORY does not zap; the access reaches the disabled device", () => {
  const ones = setup({ impl: "mmap-remap" });
  mapBar(ones.p, ones.d);
  setCommand(ones.p, ones.d, ones.nic.command & ~2);
  const r = cpuRead(ones.p, A + 0x10, 4);
  assert.equal(r.sig, undefined, "no SIGBUS");
  assert.equal(u32(r.bytes), 0xffffffff, "all ones from the root complex");
  assert.equal(
    u32(syscall(ones.p, "pread", [ones.d, new Uint8Array(4), 4, BAR0]).data),
    0xffffffff,
    "no EIO either",
  );
  const fatal = setup({ impl: "mmap-remap", policies: { "hw.mmioUnclaimed": "host-fatal" } });
  mapBar(fatal.p, fatal.d);
  setCommand(fatal.p, fatal.d, fatal.nic.command & ~2);
  cpuWrite(fatal.p, A + 0x40, Uint8Array.of(1));
  assert.ok(fatal.m.pci.hostFatal !== null);
  assert.ok(texts(fatal.m).some((t) => t.startsWith("[emu] host-fatal:")));
});

Deno.test("eager-reinsert: re-enabling memory maps everything again without a fault", () => {
  const { p, d, nic, vdev } = setup({ impl: "eager-reinsert" });
  mapBar(p, d, 0x8000);
  cpuRead(p, A, 4);
  setCommand(p, d, nic.command & ~2);
  assert.equal(p.mm.pt.bitsAt(A / 4096), 0);
  setCommand(p, d, nic.command | 2);
  assert.equal(vdev.reinserted, 8);
  const faults = vdev.faults.length;
  cpuRead(p, A + 0x7000, 4);
  assert.equal(vdev.faults.length, faults, "no fault needed");
});

Deno.test("VFIO_DEVICE_RESET zaps the mappings; the registers forget their writes", () => {
  const { p, d, nic } = setup();
  mapBar(p, d);
  cpuWrite(p, A + 0x40, Uint8Array.of(7, 0, 0, 0));
  assert.equal(ioctl(p, d, VFIO_DEVICE_RESET).ret, 0);
  assert.equal(p.mm.pt.bitsAt(A / 4096), 0);
  assert.equal(u32(cpuRead(p, A + 0x40, 4).bytes), 0xc0de0040);
  assert.equal(nic.command & 2, 2, "COMMAND restored");
});

Deno.test("type1 MAP_DMA pins the pages; UNMAP_DMA and the last group's release unpin them", () => {
  const { m, p, c, d, g, vdev } = setup();
  syscall(p, "mmap", [A, 0x4000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  const map = (iova: number, size: number) =>
    ioctl(
      p,
      c,
      VFIO_IOMMU_MAP_DMA,
      lit(VFIO_DMA_MAP, {
        argsz: 32n,
        flags: 3n,
        vaddr: BigInt(A),
        iova: BigInt(iova),
        size: BigInt(size),
      }),
    ).ret;
  assert.equal(map(0x100000, 0x4000), 0);
  assert.equal(m.vmstat.follPinAcquired, 4);
  assert.equal(map(0x102000, 0x1000), -EEXIST);
  assert.equal(map(0x200000, 0x800), -EINVAL, "not page sized");
  const un = lit(VFIO_DMA_UNMAP, { argsz: 24n, iova: 0x100000n, size: 0x4000n });
  assert.equal(ioctl(p, c, VFIO_IOMMU_UNMAP_DMA, un).ret, 0);
  assert.equal(decodeStruct(VFIO_DMA_UNMAP, un.literal).get("size"), 0x4000n);
  assert.equal(m.vmstat.follPinReleased, 4);
  assert.equal(map(0x100000, 0x2000), 0);
  assert.deepEqual(checkInvariants(m), []);
  // Closing the device and then the group detaches it: the container's mappings go.
  syscall(p, "close", [d]);
  syscall(p, "close", [g]);
  assert.equal(m.vmstat.follPinReleased, 6);
  assert.ok(syscall(p, "open", [`/dev/vfio/${vdev.group.id}`, O_RDWR]).ret > 0, "open again");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("unbind while open waits; the request loop logs once without an eventfd; close completes it", () => {
  const { m, p, d, g, nic, vdev } = setup();
  mapBar(p, d);
  cpuRead(p, A, 4);
  const from = m.dmesg.lines.length;
  const r = m.drivers.unbind(nic);
  assert.ok("blocked" in r);
  assert.equal(r.blocked.wchan, "vfio_unregister_group_dev");
  assert.deepEqual(texts(m).slice(from), [
    "vfio-pci 0000:05:00.0: No device request channel registered, blocked until released by user",
  ]);
  m.sched.advanceTo(m.clock.ns + 3 * VFIO_REQUEST_INTERVAL_NS);
  assert.equal(vdev.removal!.count, 4, "one request per 10 s");
  assert.equal(texts(m).length - from, 1, "later requests are silent");
  // Closing the fd is not enough while the mapping holds the file.
  syscall(p, "close", [d]);
  assert.equal(r.blocked.ready(), false);
  syscall(p, "munmap", [A, 0x80000]);
  assert.equal(r.blocked.ready(), true);
  m.drivers.finishUnbind(nic, r.blocked);
  assert.equal(nic.driver, null);
  assert.equal(m.fs.lookup(`/dev/vfio/${vdev.group.id}`), undefined);
  // The group fd still open finds no device in its group.
  const name = new TextEncoder().encode(nic.bdf);
  assert.equal(ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, name).ret, -ENODEV);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("hot-unplug while open: removal completes when the process exits; nothing leaks", () => {
  const { m, p, d, nic } = setup();
  syscall(p, "mmap", [A + 0x1000000, 0x4000, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  mapBar(p, d);
  cpuRead(p, A, 4);
  const res = injectFault(m, "hot-unplug", "05:00.0");
  assert.ok("ok" in res && res.ok.some((l) => /vfio-pci remove waits/.test(l)));
  assert.equal(nic.driver?.name, "vfio-pci");
  // The removed device answers all ones.
  assert.equal(u32(cpuRead(p, A + 0x10, 4).bytes), 0xffffffff);
  syscall(p, "exit_group", [0]);
  assert.equal(nic.driver, null);
  assert.ok(!m.pci.devices.includes(nic));
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("the device fd's config region: EFAULT past 4 KiB", () => {
  const { p, d } = setup();
  assert.equal(syscall(p, "pread", [d, new Uint8Array(4), 4, CONFIG + 4096n]).ret, -14);
  const id = syscall(p, "pread", [d, new Uint8Array(4), 4, CONFIG]).data!;
  assert.deepEqual([...id], [0x86, 0x80, 0xfb, 0x10]);
});

Deno.test("vfio.faultImpl by era preset", () => {
  const at = (v: string) => new Machine({ preset: `linux-${v}` }).policy("vfio.faultImpl");
  assert.deepEqual(
    ["4.14", "5.7", "5.8", "6.9", "6.10", "6.11", "6.12", "6.18"].map(at),
    [
      "mmap-remap",
      "mmap-remap",
      "remap-in-fault",
      "remap-in-fault",
      "insert-pfn+prefault",
      "insert-pfn+prefault",
      "huge-fault",
      "huge-fault",
    ],
  );
});

Deno.test("huge-fault: a PUD for a whole aligned gigabyte, PMDs beside it, pages at the unaligned tail", () => {
  const m = new Machine({ pci: "default" });
  const gpu = m.pci.find("04:00.0")!;
  m.drivers.unbind(gpu);
  gpu.driverOverride = "vfio-pci";
  m.drivers.bind(gpu, "vfio-pci");
  const vdev = m.vfio.device(gpu)!;
  const p = m.init;
  const c = syscall(p, "open", ["/dev/vfio/vfio", O_RDWR]).ret;
  const g = syscall(p, "open", [`/dev/vfio/${vdev.group.id}`, O_RDWR]).ret;
  ioctl(p, g, VFIO_GROUP_SET_CONTAINER, intRef(c));
  ioctl(p, c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
  const d = ioctl(p, g, VFIO_GROUP_GET_DEVICE_FD, new TextEncoder().encode(gpu.bdf)).ret;
  const G = 0x7f0000000000; // 1 GiB aligned
  const len = 2 ** 30 + 2 * 2 ** 21 + 0x3000;
  assert.equal(syscall(p, "mmap", [G, len, RW, MAP_SHARED | MAP_FIXED, d, 2n << 40n]).ret, G);
  cpuRead(p, G + 0x123456, 4);
  cpuRead(p, G + 2 ** 30 + 0x1000, 4);
  cpuRead(p, G + 2 ** 30 + 2 ** 22 + 0x2000, 4);
  assert.deepEqual(vdev.faults.map((f) => [f.order, f.ptes]), [[18, 262144], [9, 512], [0, 1]]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("check: vfio's invariants catch a BAR PTE at the wrong pfn", () => {
  const { m, p, d } = setup({ impl: "insert-pfn" });
  mapBar(p, d, 0x4000);
  cpuRead(p, A, 4);
  p.mm.pt.set(A / 4096, p.mm.pt.pfnAt(A / 4096) + 1, p.mm.pt.bitsAt(A / 4096));
  assert.ok(checkInvariants(m).some((e) => /vfio 0000:05:00.0: PTE at 7f0000000000 maps/.test(e)));
});

Deno.test("fork.openBeforeCopy: with ->open first (6.9) the child's BAR PTEs escape the memory-disable zap", () => {
  const run = (openBeforeCopy: "false" | "true") => {
    const { m, p, d, nic } = setup({
      impl: "remap-in-fault",
      policies: { "fork.openBeforeCopy": openBeforeCopy, "mm.vmFlagsAssert": "none" },
    });
    mapBar(p, d, 0x4000);
    cpuRead(p, A, 4);
    const pid = syscall(p, "fork", []).ret;
    const child = m.process(pid)!;
    const copied = child.mm.pt.bitsAt(A / 4096) !== 0;
    setCommand(p, d, nic.command & ~2);
    const r = cpuRead(child, A + 0x10, 4);
    return { copied, sig: r.sig?.signo, value: r.sig ? undefined : u32(r.bytes) };
  };
  // <= 6.8: the copy is zapped in ->open; the child faults, is tracked, and gets SIGBUS.
  assert.deepEqual(run("false"), { copied: false, sig: SIGBUS, value: undefined });
  // 6.9: the child kept its copy, untracked; its load reaches the disabled device.
  assert.deepEqual(run("true"), { copied: true, sig: undefined, value: 0xffffffff });
});

Deno.test("VFIO_DEVICE_SET_IRQS: a req eventfd gets every request, the log every tenth; AER signals the err eventfd", () => {
  const { m, p, d, nic, vdev } = setup();
  const req = syscall(p, "eventfd2", [0, EFD_NONBLOCK]).ret;
  const err = syscall(p, "eventfd2", [0, EFD_NONBLOCK]).ret;
  const set = (index: number, fd: number, flags = 0x24n) =>
    ioctl(
      p,
      d,
      VFIO_DEVICE_SET_IRQS,
      lit(VFIO_IRQ_SET, {
        argsz: 24n,
        flags,
        index: BigInt(index),
        start: 0n,
        count: 1n,
        data: BigInt(fd),
      }),
    ).ret;
  assert.equal(set(VFIO_PCI_REQ_IRQ_INDEX, 0), -EINVAL, "stdin is no eventfd");
  assert.equal(set(VFIO_PCI_REQ_IRQ_INDEX, 99), -EBADF);
  assert.equal(set(VFIO_PCI_REQ_IRQ_INDEX, req, 0x26n), -EINVAL, "two DATA_ flags");
  assert.equal(set(7, req), -EINVAL, "no such index");
  assert.equal(set(VFIO_PCI_REQ_IRQ_INDEX, req), 0);
  assert.equal(set(VFIO_PCI_ERR_IRQ_INDEX, err), 0);
  const from = m.dmesg.lines.length;
  const r = m.drivers.unbind(nic);
  assert.ok("blocked" in r);
  m.sched.advanceTo(m.clock.ns + 105 * 10 ** 9);
  assert.deepEqual(texts(m).slice(from), [
    "vfio-pci 0000:05:00.0: Relaying device request to user (#0)",
    "vfio-pci 0000:05:00.0: Relaying device request to user (#10)",
  ]);
  assert.equal(vdev.removal!.count, 11);
  const got = syscall(p, "read", [req, new Uint8Array(8), 8]);
  assert.equal(new DataView(got.data!.buffer).getBigUint64(0, true), 11n, "one signal per request");
  injectFault(m, "aer", "05:00.0");
  assert.equal(vdev.errTrigger!.count, 1n);
  syscall(p, "close", [d]);
  m.drivers.finishUnbind(nic, r.blocked);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("a split BAR mapping faults each piece at its own pfn (vma_to_pfn from vm_pgoff)", () => {
  for (const impl of ["mmap-remap", "remap-in-fault", "insert-pfn", "huge-fault"] as const) {
    const { m, p, d, nic } = setup({ impl, policies: { "mm.vmFlagsAssert": "none" } });
    mapBar(p, d, 0x9000);
    // MAP_FIXED over the first 8 pages leaves the ninth as its own VMA (pgoff moved on).
    assert.equal(syscall(p, "mmap", [A, 0x8000, RW, MAP_SHARED | MAP_FIXED, d, 0x10000]).ret, A);
    assert.equal(syscall(p, "mprotect", [A + 0x8000, 0x1000, PROT_READ]).ret, 0);
    assert.equal(u32(cpuRead(p, A + 0x8010, 4).bytes), 0xc0de8010, `${impl}: page 8 of BAR0`);
    assert.equal(u32(cpuRead(p, A + 0x10, 4).bytes), 0xc0de0010, `${impl}: page 16 of BAR0`);
    assert.equal(p.mm.pt.pfnAt(A / 4096), nic.bars[0]!.addr / 4096 + 16);
    assert.deepEqual(checkInvariants(m), [], impl);
  }
});

Deno.test("inject-fault mmio-disable behind vfio's back: vconfig still says enabled, so faults map and loads read all ones", () => {
  const { m, p, d, nic, vdev } = setup({ impl: "insert-pfn" });
  mapBar(p, d, 0x4000);
  injectFault(m, "mmio-disable", "05:00.0");
  assert.equal(nic.command & 2, 0);
  assert.equal(vdev.memoryEnabled(), true, "vfio tests its virtual bit");
  const r = cpuRead(p, A + 0x10, 4);
  assert.equal(r.sig, undefined);
  assert.equal(u32(r.bytes), 0xffffffff);
  assert.equal(u32(syscall(p, "pread", [d, new Uint8Array(4), 4, BAR0]).data), 0xffffffff);
  assert.deepEqual(vfioStatusLines(m.vfio)[1].split(/\s+/).slice(3, 5), ["on", "Mem-"]);
});
