/**
 * The GPU-like exporter (lib/drivers/gpu): its device file's mmap is a
 * special VMA over BAR 2 that GUP and hmm_range_fault refuse, and under
 * hmm.p2pMap=rfc-2019 its p2p_map answers from the p2p distance rules.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  DEFAULT_PCI,
  injectFault,
  Machine,
  pinUserPages,
  smapsLines,
  syscall,
} from "../../../mod.ts";
import type { Process } from "../../../mod.ts";
import { FOLL_LONGTERM, FOLL_WRITE } from "../../../lib/mm/gup.ts";
import { DeviceMirror } from "../../../lib/mm/hmm_mirror.ts";
import {
  HMM_PFN_ERROR,
  hmmMirrorIsMaybeSupported,
  hmmRange,
  hmmRangeFault,
} from "../../../lib/mm/hmm.ts";
import { mmuIntervalReadBegin } from "../../../lib/mm/mmu_notifier.ts";
import { EFAULT, EINVAL, ENXIO, EREMOTEIO } from "../../../lib/abi/errno.ts";
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";
import { barPfn } from "../../../lib/pci/pci.ts";
import { PCI_ACS_CR, PCI_ACS_RR } from "../../../lib/pci/p2pdma.ts";
import { cpuRead, cpuWrite } from "../../../lib/arch/cpu.ts";

const sys = (p: Process, name: string, ...args: unknown[]) => syscall(p, name, args).ret;
const K4 = 4096;

function setup(policies: Record<string, string> = {}) {
  const m = new Machine({ pci: "default", policies });
  const p = m.init;
  const fd = sys(p, "open", "/dev/nvidia0", O_RDWR);
  assert.ok(fd >= 0, `open: ${fd}`);
  const gpu = m.pci.find("04:00.0")!;
  const nic = m.pci.find("03:00.0")!;
  return { m, p, fd, gpu, nic };
}

Deno.test("gpu: /dev/nvidia0 maps BAR 2 as a special VMA (io pf de dd), shared only, within the BAR", () => {
  const { m, p, fd, gpu } = setup();
  assert.equal(gpu.driver?.name, "nvidia");
  assert.equal(sys(p, "mmap", 0, 2 * K4, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), -EINVAL);
  const g = sys(p, "mmap", 0, 2 * K4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * K4);
  assert.ok(g > 0);
  const lines = smapsLines(p);
  const at = lines.findIndex((l) => l.startsWith(g.toString(16)));
  const flags = lines.slice(at).find((l) => l.startsWith("VmFlags:"));
  assert.equal(flags, "VmFlags: rd wr sh mr mw me ms pf io de dd ");
  const bar = barPfn(gpu, 2)!;
  assert.equal(p.mm.pt.pfnAt(g / K4), bar.pfn + 4);
  // A store reaches the BAR's registers; a load reads it back.
  assert.equal(cpuWrite(p, g + 16, Uint8Array.of(1, 2, 3, 4)).sig, undefined);
  assert.deepEqual([...cpuRead(p, g + 16, 4).bytes!], [1, 2, 3, 4]);
  // GUP refuses a special VMA: an RDMA pinned MR over it fails at registration.
  const r = pinUserPages(p.mm, g, 2, FOLL_WRITE | FOLL_LONGTERM);
  assert.equal(r.err, -EFAULT);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gpu: hmm_range_fault on the aperture is -EFAULT when faulting, HMM_PFN_ERROR otherwise; rfc-2019 p2p_map maps bus addresses", () => {
  for (const policy of ["off", "rfc-2019"]) {
    const { m, p, fd, gpu, nic } = setup({ "hmm.p2pMap": policy });
    const heap = sys(
      p,
      "mmap",
      0,
      2 * K4,
      PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS,
      -1,
      0,
    );
    const g = sys(
      p,
      "mmap",
      heap + 2 * K4,
      2 * K4,
      PROT_READ | PROT_WRITE,
      MAP_SHARED | 0x10,
      fd,
      0,
    );
    assert.equal(g, heap + 2 * K4);
    const mir = DeviceMirror.create(p.mm, heap, 4 * K4, "odp") as DeviceMirror;
    const r = hmmRange(mir.sub, g, 2, 0n);
    r.notifierSeq = mmuIntervalReadBegin(mir.sub);
    assert.equal(hmmRangeFault(r), 0);
    assert.deepEqual([...r.hmmPfns], [HMM_PFN_ERROR, HMM_PFN_ERROR]);
    const f = mir.fault(heap, 4, true, nic);
    if (policy === "off") {
      assert.equal(f.ret, -EFAULT);
      // The heap part alone works.
      assert.equal(mir.fault(heap, 2, true, nic).ret, 0);
      assert.equal(mir.devicePageTable.size, 2);
    } else {
      assert.equal(f.ret, 0);
      assert.equal(mir.devicePageTable.size, 4);
      const e = mir.lookup(g)!;
      assert.deepEqual([e.pfn, e.p2p, e.write], [barPfn(gpu, 2)!.pfn, true, true]);
      // Same switch, no ACS: the switch routes it, and no warning was logged.
      assert.ok(!m.dmesg.lines.some((l) => /ACS|peer-to-peer/.test(l.text)));
    }
    assert.deepEqual(checkInvariants(m), []);
  }
});

Deno.test("gpu: p2p_map refuses a client the host bridge cannot serve; the trial call tells why per VMA", () => {
  // A host bridge that is not on the P2PDMA whitelist, ACS redirect on the GPU's port.
  const pci = { ...DEFAULT_PCI, hostBridge: { vendor: 0x8086, device: 0x1234 } };
  const m = new Machine({ pci, policies: { "hmm.p2pMap": "rfc-2019" } });
  const p = m.init;
  const fd = sys(p, "open", "/dev/nvidia0", O_RDWR);
  const gpu = m.pci.find("04:00.0")!;
  const nic = m.pci.find("03:00.0")!;
  m.p2pdma.acsCtrl.set(gpu.upstream!, PCI_ACS_RR | PCI_ACS_CR);
  const heap = sys(
    p,
    "mmap",
    0,
    3 * K4,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS,
    -1,
    0,
  );
  assert.equal(sys(p, "munmap", heap + 2 * K4, K4), 0);
  const g = sys(p, "mmap", heap + K4, K4, PROT_READ | PROT_WRITE, MAP_SHARED | 0x10, fd, 0);
  assert.equal(g, heap + K4);
  const t = hmmMirrorIsMaybeSupported(p.mm, nic, heap, 3 * K4);
  assert.equal(t.ret, -EREMOTEIO);
  assert.deepEqual(t.verdicts.map((v) => [v.start - heap, v.err, v.why]), [
    [0, 0, "mirrorable"],
    [K4, -EREMOTEIO, "p2p_map refused"],
    [2 * K4, -EFAULT, "no VMA"],
  ]);
  const text = m.dmesg.lines.map((l) => l.text);
  assert.deepEqual(text.slice(-4), [
    "mlx5_core 0000:03:00.0: ACS redirect is set between the client and provider (0000:04:00.0)",
    "mlx5_core 0000:03:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:09.0",
    "pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:1234",
    "mlx5_core 0000:03:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:04:00.0) do not share an upstream bridge or whitelisted host bridge",
  ]);
  // Asked again, the cached answer is silent; an ODP-like fault is -EFAULT.
  const mir = DeviceMirror.create(p.mm, heap, 2 * K4, "odp") as DeviceMirror;
  assert.equal(mir.fault(g, 1, false, nic).ret, -EFAULT);
  assert.equal(m.dmesg.lines.length, text.length);
  assert.equal(hmmMirrorIsMaybeSupported(p.mm, nic, heap, K4).ret, 0);
});

/** /dev/nvidia0's aperture mapped and touched in `p`; returns its address. */
function touched(p: Process, fd: number): number {
  const g = sys(p, "mmap", 0, 2 * K4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  assert.equal(cpuWrite(p, g, Uint8Array.of(7)).sig, undefined);
  assert.equal(cpuWrite(p, g + K4, Uint8Array.of(7)).sig, undefined);
  return g;
}

Deno.test("gpu: unbind revokes the aperture mappings (unmap_mapping_range): notifiers fire, a later touch is SIGBUS", () => {
  const { m, p, fd, gpu } = setup();
  const g = touched(p, fd);
  const child = m.process(sys(p, "fork"))!;
  assert.notEqual(child.mm.pt.pfnAt(g / K4), -1, "fork copied the PFN map PTEs");
  const mir = DeviceMirror.create(p.mm, g, 2 * K4, "gpu test") as DeviceMirror;
  m.drivers.unbind(gpu);
  for (const q of [p, child]) {
    assert.equal(q.mm.pt.bitsAt(g / K4), 0);
    assert.equal(q.mm.pt.bitsAt(g / K4 + 1), 0);
  }
  assert.deepEqual(
    mir.log.map((l) => [l.event, l.start, l.end]),
    [["CLEAR", g, g + 2 * K4]],
    "the interval notifier saw the zap",
  );
  // The VMA stays; with no ->fault a touch cannot be filled.
  const w = cpuWrite(p, g, Uint8Array.of(1));
  assert.equal(w.sig?.signo, 7); // SIGBUS
  assert.equal(w.sig?.addr, g);
  assert.equal(cpuRead(child, g + K4, 1).sig?.signo, 7);
  assert.equal(sys(p, "mmap", 0, K4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), -ENXIO);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("gpu: hot-unplug revokes the mappings too", () => {
  const { m, p, fd } = setup();
  const g = touched(p, fd);
  assert.ok("ok" in injectFault(m, "hot-unplug", "04:00.0"));
  assert.equal(p.mm.pt.bitsAt(g / K4), 0);
  assert.equal(cpuRead(p, g, 1).sig?.signo, 7);
  assert.deepEqual(checkInvariants(m), []);
});
