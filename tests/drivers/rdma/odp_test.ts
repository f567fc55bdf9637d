/**
 * ODP memory regions (lib/drivers/rdma/odp.ts): registration pins nothing
 * and succeeds over a GPU mapping; NIC accesses fault through
 * hmm_range_fault; invalidations drop the MR's device PTEs; failures are
 * completion statuses.
 */
import assert from "node:assert/strict";
import { checkInvariants, Machine, syscall } from "../../../mod.ts";
import type { Process, VObject } from "../../../mod.ts";
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_ON_DEMAND,
  IB_ACCESS_REMOTE_READ,
  IB_ACCESS_REMOTE_WRITE,
} from "../../../lib/drivers/rdma/ib_verbs.ts";
import { mrAccessByPtr } from "../../../lib/drivers/rdma/odp.ts";
import { findNotifierSubscriptions } from "../../../lib/mm/mmu_notifier.ts";
import { mirrorOf } from "../../../lib/mm/hmm_mirror.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../../lib/abi/mman.ts";

const K4 = 4096;
const sys = (p: Process, name: string, ...args: unknown[]) => syscall(p, name, args).ret;
const RW = PROT_READ | PROT_WRITE;
const ACC = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ;

function setup(policies: Record<string, string> = {}) {
  const m = new Machine({ pci: "default", policies });
  const p = m.init;
  const v = m.rdma.verbs;
  const ctx = v.lookup(p, v.openDevice(p, "mlx5_0").ret, ["context"]);
  const pd = v.lookup(p, v.allocPd(p, ctx as never).ret, ["pd"]) as VObject;
  const fd = sys(p, "open", "/dev/nvidia0", O_RDWR);
  const heap = sys(p, "mmap", 0, 4 * K4, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const gpu = sys(p, "mmap", heap + 2 * K4, 2 * K4, RW, MAP_SHARED | MAP_FIXED, fd, 0);
  assert.equal(gpu, heap + 2 * K4);
  return { m, p, v, pd, heap, gpu };
}

Deno.test("ODP MR over heap + GPU: registration pins nothing; heap access faults in, GPU access is an error completion", () => {
  const { m, p, v, pd, heap } = setup();
  const pinnedVm = p.mm.pinnedVm;
  // The pinned MR fails at registration: GUP stops at the VM_PFNMAP VMA.
  assert.equal(v.regMr(p, pd, heap, 4 * K4, ACC).errno, 14);
  const r = v.regMr(p, pd, heap, 4 * K4, ACC | IB_ACCESS_ON_DEMAND);
  assert.notEqual(r.ret, 0n);
  assert.equal(p.mm.pinnedVm, pinnedVm);
  const sub = findNotifierSubscriptions(p.mm)!.itree.find((s) => s.owner === "odp mr")!;
  assert.deepEqual([sub.start, sub.last + 1], [heap, heap + 4 * K4]);
  const mir = mirrorOf(sub)!;
  const a = mrAccessByPtr(p, r.ret, 0, 2 * K4, "rdma-write");
  assert.ok(typeof a !== "string");
  assert.equal(a.status, "IBV_WC_SUCCESS");
  assert.equal(a.fault?.ret, 0);
  assert.equal(mir.devicePageTable.size, 2);
  assert.equal(mir.lookup(heap)!.pfn, p.mm.pt.pfnAt(heap / K4));
  // Present now: no second fault.
  const again = mrAccessByPtr(p, r.ret, K4, K4, "send");
  assert.ok(typeof again !== "string" && again.fault === null && again.status === "IBV_WC_SUCCESS");
  const g = mrAccessByPtr(p, r.ret, 2 * K4, K4, "rdma-read");
  assert.ok(typeof g !== "string");
  assert.deepEqual([g.status, g.fault?.ret], ["IBV_WC_REM_ACCESS_ERR", -14]);
  const l = mrAccessByPtr(p, r.ret, 3 * K4, K4, "send");
  assert.ok(typeof l !== "string" && l.status === "IBV_WC_LOC_PROT_ERR");
  // Outside the MR: a protection error without any fault.
  const out = mrAccessByPtr(p, r.ret, 4 * K4, 1, "recv");
  assert.ok(typeof out !== "string" && out.fault === null && out.status === "IBV_WC_LOC_PROT_ERR");
  assert.deepEqual(checkInvariants(m), []);
  // mprotect(PROT_NONE) of a heap page: invalidated, and the refault fails.
  assert.equal(sys(p, "mprotect", heap + K4, K4, PROT_NONE), 0);
  assert.equal(mir.devicePageTable.size, 1);
  const after = mrAccessByPtr(p, r.ret, 0, 2 * K4, "recv");
  assert.ok(typeof after !== "string");
  assert.deepEqual([after.status, after.fault?.ret], ["IBV_WC_LOC_PROT_ERR", -14]);
  assert.deepEqual(checkInvariants(m), []);
  // Deregistration removes the subscription.
  const mr = v.lookup(p, r.ret, ["mr"]) as VObject;
  assert.equal(v.destroy(p, mr).ret, 0n);
  assert.equal(findNotifierSubscriptions(p.mm)!.itree.length, 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("ODP MR under hmm.p2pMap=rfc-2019: the GPU part maps bus addresses through p2p_map", () => {
  const { m, p, v, pd, heap, gpu } = setup({ "hmm.p2pMap": "rfc-2019" });
  const r = v.regMr(p, pd, heap, 4 * K4, ACC | IB_ACCESS_ON_DEMAND);
  const g = mrAccessByPtr(p, r.ret, 2 * K4, 2 * K4, "rdma-write");
  assert.ok(typeof g !== "string");
  assert.equal(g.status, "IBV_WC_SUCCESS");
  const sub = findNotifierSubscriptions(p.mm)!.itree.find((s) => s.owner === "odp mr")!;
  const e = mirrorOf(sub)!.lookup(gpu)!;
  assert.deepEqual([e.p2p, e.pfn], [true, p.mm.pt.pfnAt(gpu / K4)]);
  // munmap of the GPU part drops its device PTEs; the next access has no VMA.
  assert.equal(sys(p, "munmap", gpu, 2 * K4), 0);
  assert.equal(mirrorOf(sub)!.lookup(gpu), undefined);
  const h = mrAccessByPtr(p, r.ret, 2 * K4, K4, "rdma-write");
  assert.ok(typeof h !== "string" && h.status === "IBV_WC_REM_ACCESS_ERR");
  assert.deepEqual(checkInvariants(m), []);
  // Exit releases the MR's mirror with everything else.
  sys(p, "exit_group", 0);
  assert.deepEqual(checkInvariants(m), []);
});
