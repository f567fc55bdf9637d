/**
 * Interval notifiers (mm/mmu_notifier.c) and hmm_range_fault (mm/hmm.c):
 * the sequence rules of the errata, every PTE-changing path reaching the
 * notifier, and the return codes and slot flags of hmm_range_fault.
 */
import assert from "node:assert/strict";
import { checkInvariants, Machine, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import {
  findNotifierSubscriptions,
  type MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  type MmuNotifierRange,
} from "../../lib/mm/mmu_notifier.ts";
import {
  HMM_PFN_ERROR,
  HMM_PFN_REQ_FAULT,
  HMM_PFN_REQ_WRITE,
  HMM_PFN_VALID,
  HMM_PFN_WRITE,
  hmmPfnFlagNames,
  hmmPfnToPfn,
  hmmRange,
  hmmRangeFault,
} from "../../lib/mm/hmm.ts";
import { DeviceMirror } from "../../lib/mm/hmm_mirror.ts";
import { zapRange } from "../../lib/mm/zap.ts";
import { EBUSY, EFAULT, EOVERFLOW, EPERM } from "../../lib/abi/errno.ts";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { cpuRead, cpuWrite } from "../../lib/arch/cpu.ts";

const sys = (p: Process, name: string, ...args: unknown[]) => syscall(p, name, args).ret;
const K4 = 4096;

function anon(p: Process, len: number, prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE): number {
  return sys(p, "mmap", 0, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/** A subscription that records every invalidation and follows the protocol. */
function watch(p: Process, start: number, len: number) {
  const seen: { range: MmuNotifierRange; seq: number; global: number }[] = [];
  const sub = mmuIntervalNotifierInsert(p.mm, start, len, {
    invalidate(s: MmuIntervalNotifier, range, curSeq) {
      mmuIntervalSetSeq(s, curSeq);
      seen.push({ range, seq: curSeq, global: findNotifierSubscriptions(p.mm)!.invalidateSeq });
      return true;
    },
  }, "test") as MmuIntervalNotifier;
  return { sub, seen };
}

Deno.test("interval notifier: sequence starts at 2, a subscription at global - 1, odd only while an overlapping invalidation runs", () => {
  const m = new Machine();
  const p = m.init;
  const a = anon(p, 8 * K4);
  const b = anon(p, 4 * K4);
  const { sub, seen } = watch(p, a, 8 * K4);
  const subs = findNotifierSubscriptions(p.mm)!;
  assert.equal(subs.invalidateSeq, 2);
  assert.equal(sub.invalidateSeq, 1);
  const seq = mmuIntervalReadBegin(sub);
  assert.equal(seq, 1);
  // An invalidation elsewhere counts as active but leaves the sequence even.
  assert.equal(sys(p, "madvise", b, K4, MADV_DONTNEED), 0);
  assert.equal(subs.invalidateSeq, 2);
  assert.equal(seen.length, 0);
  assert.equal(mmuIntervalReadRetry(sub, seq), false);
  // One overlapping it: odd during the callback, even after, the reader must retry.
  assert.equal(sys(p, "madvise", a + K4, K4, MADV_DONTNEED), 0);
  assert.equal(seen.length, 1);
  assert.deepEqual(
    [seen[0].seq, seen[0].global, seen[0].range.event, seen[0].range.start],
    [3, 3, "CLEAR", a + K4],
  );
  assert.equal(subs.invalidateSeq, 4);
  assert.equal(subs.activeInvalidateRanges, 0);
  assert.equal(mmuIntervalReadRetry(sub, seq), true);
  assert.equal(mmuIntervalReadBegin(sub), 3);
  // A new subscription starts at the global value - 1.
  const second = watch(p, b, K4);
  assert.equal(second.sub.invalidateSeq, 3);
  assert.deepEqual(checkInvariants(m), []);
  mmuIntervalNotifierRemove(second.sub);
  assert.equal(subs.itree.length, 1);
  assert.equal(mmuIntervalNotifierInsert(p.mm, a, 0, sub.ops, "x"), -EOVERFLOW);
});

Deno.test("interval notifier: munmap, mremap, mprotect, fork's COW write-protect, COW fault and exit all invalidate", () => {
  const m = new Machine();
  const p = m.init;
  const a = anon(p, 8 * K4);
  for (let i = 0; i < 8; i++) cpuWrite(p, a + i * K4, Uint8Array.of(i));
  const { seen } = watch(p, a, 8 * K4);
  const events = () => seen.map((s) => s.range.event);
  assert.equal(sys(p, "mprotect", a, K4, PROT_READ), 0);
  assert.deepEqual(events(), ["PROTECTION_VMA"]);
  const child = m.procs.get(sys(p, "fork"))!;
  // One copy_page_range() bracket per VMA: mprotect split the range in two.
  assert.deepEqual(events().slice(1), ["PROTECTION_PAGE", "PROTECTION_PAGE"]);
  // The parent's write after fork copies the page: a CLEAR for that page.
  cpuWrite(p, a + 2 * K4, Uint8Array.of(9));
  assert.deepEqual([events()[3], seen[3].range.start], ["CLEAR", a + 2 * K4]);
  assert.equal(sys(p, "mremap", a + 6 * K4, 2 * K4, 2 * K4, 3, 0x7f0000000000), 0x7f0000000000);
  // move_page_tables() and then the unmap of the old range: two UNMAP brackets.
  assert.deepEqual(events().slice(4), ["UNMAP", "UNMAP"]);
  assert.equal(seen[4].range.start, a + 6 * K4);
  assert.equal(sys(p, "munmap", a + 4 * K4, K4), 0);
  assert.deepEqual([events()[6], seen[6].range.start, seen[6].range.end], [
    "UNMAP",
    a + 4 * K4,
    a + 5 * K4,
  ]);
  // The child's mm has no subscription: its exit tells nobody here.
  sys(child, "exit_group", 0);
  assert.equal(child.alive, false);
  assert.equal(seen.length, 7);
  sys(p, "exit_group", 0);
  assert.equal(events()[7], "RELEASE");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("hmm_range_fault: faults in with REQ_FAULT, reports VALID/WRITE, ERROR without a request, EFAULT/EPERM/EBUSY", () => {
  const m = new Machine();
  const p = m.init;
  const rw = anon(p, 4 * K4);
  const ro = anon(p, 2 * K4, PROT_READ);
  const none = anon(p, K4, PROT_NONE);
  const { sub } = watch(p, 0, 2 ** 47);
  const fault = (start: number, n: number, flags: bigint) => {
    const r = hmmRange(sub, start, n, flags);
    r.notifierSeq = mmuIntervalReadBegin(sub);
    return { ret: hmmRangeFault(r), r };
  };
  // Not asking: nothing present yet -> 0 slots, no fault.
  let { ret, r } = fault(rw, 2, 0n);
  assert.equal(ret, 0);
  assert.deepEqual([...r.hmmPfns], [0n, 0n]);
  assert.equal(p.mm.pt.bitsAt(rw / K4), 0);
  // A read request maps the zero page read-only.
  ({ ret, r } = fault(rw, 1, HMM_PFN_REQ_FAULT));
  assert.equal(ret, 0);
  assert.equal(hmmPfnToPfn(r.hmmPfns[0]), m.frames.zeroPfn);
  assert.equal(hmmPfnFlagNames(r.hmmPfns[0]), "HMM_PFN_VALID");
  // A write request COWs the zero page: its own invalidation makes the
  // first try -EBUSY; the driver loop (DeviceMirror) starts over.
  ({ ret } = fault(rw, 1, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE));
  assert.equal(ret, -EBUSY);
  ({ ret, r } = fault(rw, 1, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE));
  assert.equal(ret, 0);
  assert.equal(r.hmmPfns[0] & (HMM_PFN_VALID | HMM_PFN_WRITE), HMM_PFN_VALID | HMM_PFN_WRITE);
  assert.equal(hmmPfnToPfn(r.hmmPfns[0]), p.mm.pt.pfnAt(rw / K4));
  // Write to a read-only VMA: -EPERM. Hole: -EFAULT when asked, ERROR otherwise.
  assert.equal(fault(ro, 1, HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE).ret, -EPERM);
  assert.equal(fault(ro, 1, HMM_PFN_REQ_FAULT).ret, 0);
  assert.equal(fault(none, 1, HMM_PFN_REQ_FAULT).ret, -EFAULT);
  ({ ret, r } = fault(none, 1, 0n));
  assert.deepEqual([ret, r.hmmPfns[0]], [0, HMM_PFN_ERROR]);
  assert.equal(sys(p, "munmap", none, K4), 0);
  assert.equal(fault(none, 1, HMM_PFN_REQ_FAULT).ret, -EFAULT);
  ({ ret, r } = fault(none, 1, 0n));
  assert.deepEqual([ret, r.hmmPfns[0]], [0, HMM_PFN_ERROR]);
  // A stale sequence: -EBUSY before any walk.
  const stale = hmmRange(sub, rw, 1, HMM_PFN_REQ_FAULT);
  stale.notifierSeq = mmuIntervalReadBegin(sub);
  assert.equal(sys(p, "madvise", rw, K4, MADV_DONTNEED), 0);
  assert.equal(hmmRangeFault(stale), -EBUSY);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("device mirror: faults fill the device page table, invalidations drop exactly the range", () => {
  const m = new Machine();
  const p = m.init;
  const a = anon(p, 4 * K4, PROT_READ | PROT_WRITE, MAP_SHARED);
  const mir = DeviceMirror.create(p.mm, a, 4 * K4, "test") as DeviceMirror;
  const f = mir.fault(a, 4, true);
  assert.equal(f.ret, 0);
  assert.equal(mir.devicePageTable.size, 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(mir.lookup(a + i * K4)!.pfn, p.mm.pt.pfnAt(a / K4 + i));
  }
  assert.deepEqual(checkInvariants(m), []);
  assert.equal(sys(p, "mprotect", a + K4, K4, PROT_NONE), 0);
  assert.equal(mir.devicePageTable.size, 3);
  assert.equal(mir.lookup(a + K4), undefined);
  // The next device access refaults: -EFAULT for the PROT_NONE page.
  assert.equal(mir.fault(a + K4, 1, false).ret, -EFAULT);
  assert.equal(mir.fault(a, 1, false).ret, 0);
  assert.equal(cpuRead(p, a, 1).bytes?.length, 1);
  mir.destroy();
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("check: a device PTE left behind by a missed invalidation, and an odd sequence at rest, are reported", () => {
  const m = new Machine();
  const p = m.init;
  const a = anon(p, 2 * K4);
  const mir = DeviceMirror.create(p.mm, a, 2 * K4, "test") as DeviceMirror;
  assert.equal(mir.fault(a, 2, true).ret, 0);
  assert.deepEqual(checkInvariants(m), []);
  // Zap behind the notifier's back (no invalidate bracket): the device still maps it.
  const v = p.mm.vmas.lookup(a)!;
  zapRange(p.mm, v, a, a + K4, { dropMarkers: true, quiet: true });
  const errs = checkInvariants(m);
  assert.equal(errs.length, 1, errs.join("\n"));
  assert.match(
    errs[0],
    /test device PTE 0x[0-9a-f]+ -> 0x[0-9a-f]+: nothing is mapped there any more/,
  );
  findNotifierSubscriptions(p.mm)!.invalidateSeq = 5;
  assert.ok(checkInvariants(m).some((e) => /invalidate_seq 5 odd/.test(e)));
});

Deno.test("hmm.specialVma: before 5.7 an unreadable VMA is -EFAULT even without a fault request", () => {
  for (const [preset, want] of [["linux-5.6", -EFAULT], ["linux-6.18", 0]] as const) {
    const m = new Machine({ preset });
    const p = m.init;
    const none = anon(p, K4, PROT_NONE);
    const { sub } = watch(p, none, K4);
    const r = hmmRange(sub, none, 1, 0n);
    r.notifierSeq = mmuIntervalReadBegin(sub);
    assert.equal(hmmRangeFault(r), want, preset);
    if (want === 0) assert.equal(r.hmmPfns[0], HMM_PFN_ERROR);
  }
});

Deno.test("interval notifier: truncate reaches a mirror of a shared file mapping through unmap_mapping_range", () => {
  const m = new Machine();
  const p = m.init;
  const fd = sys(p, "open", "/tmp/hmmfile", O_RDWR | O_CREAT, 0o644);
  assert.equal(sys(p, "ftruncate", fd, 4 * K4), 0);
  const a = sys(p, "mmap", 0, 4 * K4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const mir = DeviceMirror.create(p.mm, a, 4 * K4, "test") as DeviceMirror;
  assert.equal(mir.fault(a, 4, false).ret, 0);
  assert.equal(mir.devicePageTable.size, 4);
  assert.equal(sys(p, "ftruncate", fd, K4), 0);
  assert.deepEqual([...mir.devicePageTable.keys()], [a]);
  assert.ok(mir.log.some((e) => e.event === "CLEAR" && e.start <= a + K4 && e.end > a + K4));
  // Beyond EOF the refault is SIGBUS for the CPU, -EFAULT for the device.
  assert.equal(mir.fault(a + K4, 1, false).ret, -EFAULT);
  assert.deepEqual(checkInvariants(m), []);
});
