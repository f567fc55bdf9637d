/**
 * dax.truncateWithPin's two device-side designs (issue 11): `odp-only`
 * (no long-term pins of fsdax; ODP MRs invalidated by the unmap, the
 * truncate never waits, the NIC re-faults past EOF into an error
 * completion) and `iommu-revoke` (the pinned pages' IOVAs unmapped from
 * the IOMMU domain, blocks freed, the next DMA faults with the DMAR line).
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuWrite,
  holdUserPages,
  IOMMU_READ,
  IOMMU_WRITE,
  Machine,
  pinUserPages,
  type Process,
  syscall,
  type VObject,
} from "../../mod.ts";
import { MAP_SHARED, O_CREAT, O_RDWR, PROT_READ, PROT_WRITE } from "../../lib/abi/mman.ts";
import { FOLL_LONGTERM, FOLL_WRITE } from "../../lib/mm/gup.ts";
import { EOPNOTSUPP } from "../../lib/abi/errno.ts";
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_ON_DEMAND,
  IB_ACCESS_REMOTE_READ,
  IB_ACCESS_REMOTE_WRITE,
} from "../../lib/drivers/rdma/ib_verbs.ts";
import { mrAccessByPtr } from "../../lib/drivers/rdma/odp.ts";

const K4 = 4096;
const ACC = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ;
const enc = (s: string) => new TextEncoder().encode(s);

function machine(policies: Record<string, string>, preset = "linux-6.18"): Machine {
  return new Machine({ pci: "default", pmemBytes: 16 << 20, preset, policies });
}

/** A 4 KiB DAX file mapped shared in `p`, holding "app data"; returns its address. */
function mapped(p: Process, path: string): number {
  const fd = syscall(p, "open", [path, O_RDWR | O_CREAT, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, K4]).ret, 0);
  const a = syscall(p, "mmap", [0, K4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  cpuWrite(p, a, enc("app data"));
  return a;
}

/** The administrator (a child of `app`) truncates `path` to 0: the syscall's result. */
function truncate(app: Process, path: string) {
  const admin = app.machine.process(syscall(app, "fork", []).ret)!;
  const f = syscall(admin, "open", [path, O_RDWR]).ret;
  return syscall(admin, "ftruncate", [f, 0]);
}

Deno.test("dax.truncateWithPin=odp-only: pinned MRs refused, the ODP MR invalidated, truncate never waits, re-fault past EOF fails", () => {
  // Refused even where gup.longtermFsdax would allow the pin.
  const m = machine({ "dax.truncateWithPin": "odp-only", "gup.longtermFsdax": "allow" });
  const p = m.init;
  const a = mapped(p, "/mnt/pmem/mr");
  assert.equal(pinUserPages(p.mm, a, 1, FOLL_WRITE | FOLL_LONGTERM).err, -EOPNOTSUPP);
  const v = m.rdma.verbs;
  const ctx = v.lookup(p, v.openDevice(p, "mlx5_0").ret, ["context"]);
  const pd = v.lookup(p, v.allocPd(p, ctx as never).ret, ["pd"]) as VObject;
  assert.equal(v.regMr(p, pd, a, K4, ACC).errno, EOPNOTSUPP);
  const mr = v.regMr(p, pd, a, K4, ACC | IB_ACCESS_ON_DEMAND);
  assert.notEqual(mr.ret, 0n);
  const w = mrAccessByPtr(p, mr.ret, 0, 8, "rdma-write");
  assert.ok(typeof w !== "string");
  assert.deepEqual([w.status, w.fault?.ret], ["IBV_WC_SUCCESS", 0]);
  const pmem = m.pmem!.blocks;
  assert.equal(pmem.freeCount, pmem.count - 1);
  // The truncate completes at once: no pin to wait for.
  const r = truncate(p, "/mnt/pmem/mr");
  assert.equal(r.pending, undefined);
  assert.equal(r.ret, 0);
  assert.equal(pmem.freeCount, pmem.count);
  // The NIC's next write re-faults: the file has no page there any more.
  const after = mrAccessByPtr(p, mr.ret, 0, 8, "rdma-write");
  assert.ok(typeof after !== "string");
  assert.deepEqual([after.status, after.fault?.ret], ["IBV_WC_REM_ACCESS_ERR", -14]);
  assert.deepEqual(checkInvariants(m), []);
});

/** 4.14 (pins of fsdax allowed): `app` pins its DAX page, the NIC reaches it at IOVA 0x10000. */
function pinnedBehindIommu(policies: Record<string, string>) {
  const m = machine({ "dax.truncateWithPin": "iommu-revoke", ...policies }, "linux-4.14");
  const app = m.init;
  const a = mapped(app, "/mnt/pmem/mr");
  const r = pinUserPages(app.mm, a, 1, FOLL_WRITE | FOLL_LONGTERM);
  assert.equal(r.err, 0);
  holdUserPages(app.mm, r.pages);
  const pfn = r.pages[0].pfn;
  const nic = m.pci.find("05:00.0")!;
  const io = m.pci.iommu;
  const dom = io.enabled ? io.allocDomain() : null;
  if (dom !== null) {
    assert.equal(io.attach(nic, dom), 0);
    assert.equal(dom.map(0x10000, pfn, K4, IOMMU_READ | IOMMU_WRITE), 0);
  }
  return { m, app, pfn, nic, dom };
}

Deno.test("dax.truncateWithPin=iommu-revoke: the IOVA is unmapped, the block freed, the next DMA faults (DMAR)", () => {
  const { m, app, pfn, nic, dom } = pinnedBehindIommu({});
  const eng = m.pci.dma(nic);
  const before = eng.submit("write", 0x10000, 4, enc("NIC!"));
  m.sched.advanceTo(m.clock.ns + 1_000_000);
  assert.equal(typeof before !== "string" && before.status, "ok");
  const r = truncate(app, "/mnt/pmem/mr");
  assert.equal(r.pending, undefined);
  assert.equal(r.ret, 0);
  assert.equal(dom!.toPhys(0x10000), null);
  assert.ok(m.pmem!.blocks.isFree(pfn));
  // The pin is still the process's: it drops it when it likes.
  assert.equal(app.mm.gupHeld[0].pfn, pfn);
  // The block goes to the next file (LIFO)...
  const j = syscall(app, "open", ["/mnt/pmem/journal", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(app, "pwrite", [j, "journal entry", 13, 0]);
  const lines = m.dmesg.lines.length;
  const late = eng.submit("write", 0x10000, 4, enc("late"));
  m.sched.advanceTo(m.clock.ns + 1_000_000);
  assert.equal(typeof late !== "string" && late.status, "iommu-fault");
  assert.deepEqual(m.dmesg.lines.slice(lines).map((l) => l.text), [
    "DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x10000 [fault reason 0x05] " +
    "PTE Write access is not set",
  ]);
  // ...and the late DMA never reaches it.
  const got = syscall(app, "pread", [j, new Uint8Array(0), 13, 0]).data;
  assert.equal(new TextDecoder().decode(got), "journal entry");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax.truncateWithPin=iommu-revoke with iommu.enabled=off: waits as block", () => {
  const { m, app } = pinnedBehindIommu({ "iommu.enabled": "off" });
  const r = truncate(app, "/mnt/pmem/mr");
  assert.ok(r.pending !== undefined);
  const admin = [...m.procs.values()].find((q) => q !== app)!;
  assert.equal(admin.leader.wchan, "ext4_wait_dax_page");
});
