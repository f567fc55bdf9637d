/**
 * Device memory mapped to user space by a uverbs file
 * (drivers/infiniband/core/ib_core_uverbs.c and the mmap half of
 * uverbs_main.c): the mmap entry database that hands out pgoff cookies,
 * rdma_user_mmap_io() that maps an entry's BAR pages, the VMA operations
 * every such mapping gets (rdma_umap_ops), and what happens to those
 * mappings when the device goes away (uverbs_user_mmap_disassociate and
 * rdma_umap_fault), per policy `rdma.onDisassociate`.
 * @module
 */

import { EAGAIN, EINVAL, ENOMEM } from "../../abi/errno.ts";
import type { KnobValue } from "../../policy.ts";
import type { Vma } from "../../mm/vma.ts";
import type { Mm } from "../../mm/mm.ts";
import { remapPfnRange, zapVmaPtes } from "../../mm/pfnmap.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_YOUNG } from "../../mm/pagetable.ts";
import { vmFlagsClear, withMmapReadLock, withMmapWriteLock } from "../../mm/mmap_lock.ts";
import { combine, VM_MAYSHARE, VM_MAYWRITE, VM_SHARED, VM_WRITE } from "../../mm/vm_flags.ts";
import {
  type FaultPrediction,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  type VmFault,
  type VmOperations,
} from "../../mm/vm_ops.ts";
import { RdmaUmapPriv, RdmaUserMmapEntry, type Ucontext, type UverbsFile } from "./uverbs.ts";

/** U32_MAX: the highest pgoff an entry may have (rdma_user_mmap_entry_insert). */
const MAX_PGOFF = 0xffffffff;

/**
 * rdma_user_mmap_entry_insert_range(): gives the entry the lowest free
 * range of `npages` pgoffs at or above `minPgoff` (xa_alloc), so the first
 * entry of a context is offset 0. Returns the entry or -ENOMEM.
 */
export function rdmaUserMmapEntryInsert(
  uctx: Ucontext,
  npages: number,
  pfn: number,
  minPgoff = 0,
): RdmaUserMmapEntry | number {
  let start = minPgoff;
  for (;;) {
    if (start + npages - 1 > MAX_PGOFF) return -ENOMEM;
    let clash = -1;
    for (const e of uctx.mmapXa.values()) {
      if (e.startPgoff < start + npages && start < e.startPgoff + e.npages) {
        clash = e.startPgoff + e.npages;
      }
    }
    if (clash < 0) break;
    start = clash;
  }
  const entry = new RdmaUserMmapEntry(uctx, start, npages, pfn);
  uctx.mmapXa.set(start, entry);
  return entry;
}

/**
 * rdma_user_mmap_entry_get_pgoff(): the live entry starting at `pgoff`,
 * with a reference taken, or null (unknown, not a start, removed).
 */
export function rdmaUserMmapEntryGetPgoff(uctx: Ucontext, pgoff: number): RdmaUserMmapEntry | null {
  if (pgoff > MAX_PGOFF) return null;
  const e = uctx.mmapXa.get(pgoff);
  if (e === undefined || e.driverRemoved || e.refs === 0) return null;
  e.refs++;
  return e;
}

/**
 * rdma_user_mmap_entry_get(): the entry a VMA asks for: NULL unless the
 * VMA is VM_SHARED, its pgoff names an entry and its size is the entry's.
 */
export function rdmaUserMmapEntryGet(uctx: Ucontext, vma: Vma): RdmaUserMmapEntry | null {
  if (!(vma.flags & VM_SHARED)) return null;
  const e = rdmaUserMmapEntryGetPgoff(uctx, vma.pgoff);
  if (e === null) return null;
  if (e.npages * 4096 !== vma.end - vma.start) {
    rdmaUserMmapEntryPut(e);
    return null;
  }
  return e;
}

/** rdma_user_mmap_entry_put(): the last reference erases it and calls ->mmap_free. */
export function rdmaUserMmapEntryPut(e: RdmaUserMmapEntry): void {
  if (--e.refs > 0) return;
  // rdma_user_mmap_entry_free(): erase from mmap_xa, then the driver frees it.
  if (e.ucontext.mmapXa.get(e.startPgoff) === e) e.ucontext.mmapXa.delete(e.startPgoff);
  e.ucontext.device.ops.mmapFree(e);
}

/** rdma_user_mmap_entry_remove(): the driver is done with it; mappings keep it until unmapped. */
export function rdmaUserMmapEntryRemove(e: RdmaUserMmapEntry | null): void {
  if (e === null || e.driverRemoved) return;
  e.driverRemoved = true;
  rdmaUserMmapEntryPut(e);
}

/** rdma_umap_priv_init(): tracks the VMA on the file's umaps list. */
function rdmaUmapPrivInit(ufile: UverbsFile, vma: Vma, entry: RdmaUserMmapEntry | null): void {
  const priv = new RdmaUmapPriv(vma, entry);
  if (entry !== null) entry.refs++;
  vma.priv = priv;
  ufile.umaps.add(priv);
}

/**
 * rdma_user_mmap_io(): maps `npages` pfns from `pfn` into the whole VMA.
 * -EINVAL unless the mapping is MAP_SHARED and exactly that size;
 * io_remap_pfn_range() sets VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP
 * (smaps `io pf de dd`); its failure is -EAGAIN.
 */
export function rdmaUserMmapIo(
  uctx: Ucontext,
  vma: Vma,
  pfn: number,
  size: number,
  entry: RdmaUserMmapEntry | null,
): number {
  if (!(vma.flags & VM_SHARED)) return -EINVAL;
  if (vma.end - vma.start !== size) return -EINVAL;
  if (remapPfnRange(vma, vma.start, pfn, size) !== 0) return -EAGAIN;
  rdmaUmapPrivInit(uctx.ufile, vma, entry);
  return 0;
}

/** The uverbs file behind a VMA of /dev/infiniband/uverbsN. */
type UfileOf = (vma: Vma) => UverbsFile | null;

/**
 * Policy `rdma.onDisassociate`, at fault time: whether a VMA the zap left
 * behind is refilled (zero page / dummy page) or SIGBUS (Linus' one-line
 * rdma_umap_fault, and the 5.0 regression where the VMA had vm_ops
 * without ->fault).
 */
const FAULT_REFILLS: Record<KnobValue<"rdma.onDisassociate">, boolean> = {
  "zero-page": true,
  sigbus: false,
  // These two never reach rdma_umap_fault: anon-private removed the vm_ops,
  // block never zapped (the device waited for the file to close).
  "anon-private": false,
  block: false,
};

/**
 * Policy `rdma.dummyPageScope`: which page a writable dead mapping gets,
 * as a key into the file's dummy pages. `per-file` is the kernel's
 * (ufile->disassociate_page); the others are teaching alternatives.
 */
const DUMMY_KEY: Record<KnobValue<"rdma.dummyPageScope">, (vma: Vma, addr: number) => string> = {
  "per-file": () => "file",
  "per-vma": (vma) => `vma ${vma.mm.id} ${vma.start}`,
  "per-address": (vma, addr) => `addr ${vma.mm.id} ${addr}`,
};

/**
 * Policy `rdma.onDisassociate`, at zap time: whether the zap also turns
 * the VMA into private anonymous memory (4.2-4.20 mlx4/mlx5).
 */
const ZAP_MAKES_ANON: Record<KnobValue<"rdma.onDisassociate">, boolean> = {
  "anon-private": true,
  "zero-page": false,
  sigbus: false,
  block: false,
};

/**
 * rdma_umap_ops: open (fork, split), close (unmap) and fault (only after
 * disassociation: before it every PTE is present).
 */
export function rdmaUmapOps(ufileOf: UfileOf): VmOperations {
  return {
    // rdma_umap_open(): a new VMA (fork child, split piece) of a tracked one.
    open(vma) {
      const ufile = ufileOf(vma);
      const opriv = vma.priv as RdmaUmapPriv | null;
      if (ufile === null || opriv === null) return;
      // down_read_trylock(hw_destroy_rwsem) fails only while a teardown runs,
      // which is atomic here; after it, ucontext is NULL: zap and forget.
      if (ufile.ucontext === null) {
        vma.priv = null;
        zapVmaPtes(vma, vma.start, vma.end - vma.start);
        return;
      }
      rdmaUmapPrivInit(ufile, vma, opriv.entry);
    },
    // rdma_umap_close()
    close(vma) {
      const ufile = ufileOf(vma);
      const priv = vma.priv as RdmaUmapPriv | null;
      if (ufile === null || priv === null) return;
      ufile.umaps.delete(priv);
      if (priv.entry !== null) rdmaUserMmapEntryPut(priv.entry);
      priv.entry = null;
    },
    // rdma_umap_fault(): reached only for zapped (disassociated) mappings.
    fault(vmf: VmFault) {
      const vma = vmf.vma;
      const m = vma.mm.machine;
      const plan = rdmaUmapFaultPlan(ufileOf(vma), vma, vmf.address);
      m.trace?.step(
        "handle_mm_fault → handle_pte_fault → do_fault → __do_fault → rdma_umap_fault",
        plan.why,
        {
          policy: plan.policies.join(" "),
          ...(plan.page === "sigbus" ? { errno: "VM_FAULT_SIGBUS" } : {}),
        },
      );
      if (plan.page === "sigbus") return VM_FAULT_SIGBUS;
      if (plan.page === "zero") {
        vma.mm.pt.set(vmf.address / 4096, m.frames.zeroPfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
        return VM_FAULT_NOPAGE;
      }
      const pfn = dummyPage(plan.ufile!, vma, plan.key);
      if (pfn < 0) return VM_FAULT_SIGBUS;
      // "This VMA is forced to always be shared so this doesn't have to
      // worry about COW": the core maps the page, writable in a PROT_WRITE VMA.
      vmf.page = pfn;
      return 0;
    },
    predictFault(vmf: VmFault): FaultPrediction {
      const vma = vmf.vma;
      const m = vma.mm.machine;
      const plan = rdmaUmapFaultPlan(ufileOf(vma), vma, vmf.address);
      const base = { fn: "rdma_umap_fault", why: plan.why, policies: plan.policies };
      if (plan.page === "sigbus") return { ...base, result: "sigbus", pfn: -1, ptes: 0 };
      if (plan.page === "zero") return { ...base, result: "map", pfn: m.frames.zeroPfn, ptes: 1 };
      // The dummy page, or a new one if this is the first (or an allocation that fails: SIGBUS).
      return { ...base, result: "map", pfn: plan.ufile!.dummyPages.get(plan.key) ?? -1, ptes: 1 };
    },
  };
}

/** What rdma_umap_fault() does for a fault at `addr` of `vma`: the one decision. */
export interface RdmaUmapFaultPlan {
  /** SIGBUS, the zero page, or the dummy page of `key`. */
  page: "sigbus" | "zero" | "dummy";
  /** The uverbs file (null: the VMA lost it). */
  ufile: UverbsFile | null;
  /** The key of the dummy page in ufile.dummyPages (rdma.dummyPageScope). */
  key: string;
  /** Why, one clause. */
  why: string;
  /** Policy knobs read, `knob=value`. */
  policies: string[];
}

/**
 * drivers/infiniband/core/ib_core_uverbs.c: rdma_umap_fault (5.1+), per
 * rdma.onDisassociate: SIGBUS unless the policy refills; a VMA with no
 * VM_WRITE|VM_MAYWRITE gets the zero page, any other the file's dummy page
 * (ufile->disassociate_page, or a teaching scope of rdma.dummyPageScope).
 * Pure: it allocates nothing.
 */
export function rdmaUmapFaultPlan(
  ufile: UverbsFile | null,
  vma: Vma,
  addr: number,
): RdmaUmapFaultPlan {
  const m = vma.mm.machine;
  const on = m.policy("rdma.onDisassociate");
  const policies = [`rdma.onDisassociate=${on}`];
  const plan = (page: RdmaUmapFaultPlan["page"], why: string, key = ""): RdmaUmapFaultPlan => ({
    page,
    ufile,
    key,
    why,
    policies,
  });
  if (ufile === null || vma.priv === null) {
    return plan("sigbus", "the VMA has no uverbs file or umap: VM_FAULT_SIGBUS");
  }
  if (!FAULT_REFILLS[on]) {
    return plan("sigbus", `the device is gone, rdma.onDisassociate=${on}: VM_FAULT_SIGBUS`);
  }
  // Read-only pages can just use the system zero page. (No uverbs VMA
  // gets here: rdma_user_mmap_io() needs VM_SHARED, which do_mmap()
  // drops for a file not open for writing, and VM_MAYWRITE comes with it.)
  if (!(vma.flags & (VM_WRITE | VM_MAYWRITE))) {
    return plan("zero", "the device is gone, a read-only VMA: the zero page");
  }
  const scope = m.policy("rdma.dummyPageScope");
  policies.push(`rdma.dummyPageScope=${scope}`);
  const key = DUMMY_KEY[scope](vma, addr);
  const have = ufile.dummyPages.get(key);
  return plan(
    "dummy",
    `the device is gone: ${
      have === undefined ? "a new zeroed dummy page" : `the dummy page pfn 0x${have.toString(16)}`
    } (rdma.dummyPageScope=${scope})`,
    key,
  );
}

/**
 * The page a writable dead mapping gets: ufile->disassociate_page,
 * allocated zeroed on the first fault (under umap_lock) and shared by
 * every dead mapping of the file; -1 when allocation fails (SIGBUS).
 */
function dummyPage(ufile: UverbsFile, vma: Vma, key: string): number {
  const have = ufile.dummyPages.get(key);
  if (have !== undefined) return have;
  const pfn = vma.mm.machine.frames.alloc();
  if (pfn < 0) return -1;
  ufile.dummyPages.set(key, pfn);
  if (key === "file") ufile.disassociatePage = pfn;
  return pfn;
}

/**
 * uverbs_user_mmap_disassociate(): every tracked VMA of the file, mm by
 * mm (mmget_not_zero, then mmap_read_lock; the 4.x/5.0 code took the
 * write lock), is zapped and drops its entry. From 5.1 the VMA keeps its
 * flags and vm_ops: the next touch faults into rdma_umap_fault. Under
 * `anon-private` (the ≤4.20 mlx4/mlx5 disassociate) the VMA loses
 * VM_SHARED|VM_MAYSHARE and its vm_ops, and is private anonymous memory
 * from then on (maps shows `p`). Silent: nothing is logged.
 */
export function uverbsUserMmapDisassociate(ufile: UverbsFile): void {
  const anon = ZAP_MAKES_ANON[ufile.device.machine.policy("rdma.onDisassociate")];
  const mms: Mm[] = [];
  for (const priv of ufile.umaps) if (!mms.includes(priv.vma.mm)) mms.push(priv.vma.mm);
  for (const mm of mms) {
    // mmget_not_zero(): an mm being torn down is skipped (its VMAs go anyway).
    if (mm.users === 0) continue;
    const zapAll = () => {
      for (const priv of [...ufile.umaps]) {
        const vma = priv.vma;
        if (vma.mm !== mm) continue;
        ufile.umaps.delete(priv);
        zapVmaPtes(vma, vma.start, vma.end - vma.start);
        if (priv.entry !== null) {
          rdmaUserMmapEntryPut(priv.entry);
          priv.entry = null;
        }
        if (anon) {
          // mlx5_ib_disassociate_ucontext() (4.2-4.20): the VMA becomes anonymous.
          vmFlagsClear(vma, combine(VM_SHARED, VM_MAYSHARE));
          vma.ops = null;
          vma.priv = null;
        }
      }
    };
    // 5.1+: mmap_read_lock; the 4.x drivers took mmap_sem for write.
    if (anon) withMmapWriteLock(mm, zapAll);
    else withMmapReadLock(mm, zapAll);
  }
}
