/**
 * BAR mappings of a vfio-pci device fd: vfio_pci_core_mmap(), the fault
 * handlers of each era, and the zap that makes a BAR mapping fault again
 * when the user disables memory (drivers/vfio/pci/vfio_pci_core.c).
 *
 * Policy `vfio.faultImpl` picks the design, at mmap time (the VMA keeps
 * it, so one session can compare designs side by side):
 *
 * | value               | at mmap                        | on a fault                          | memory disable        |
 * |---------------------|--------------------------------|-------------------------------------|-----------------------|
 * | mmap-remap (≤5.7)   | remap_pfn_range, no ->fault    | (none: all PTEs exist)              | nothing: not zapped   |
 * | remap-in-fault      | flags; vm_pgoff = pfn          | io_remap_pfn_range(whole VMA), list | zap the vma_list      |
 * | insert-pfn+prefault | flags                          | vmf_insert_pfn, then the rest       | unmap_mapping_range   |
 * | insert-pfn          | flags                          | vmf_insert_pfn of one page          | unmap_mapping_range   |
 * | huge-fault (6.12)   | flags                          | PUD / PMD / page, aligned ones      | unmap_mapping_range   |
 * | eager-reinsert      | flags                          | as insert-pfn+prefault              | zap; re-insert on enable |
 *
 * Every fault handler first takes memory_lock for read and answers
 * VM_FAULT_SIGBUS when memory is disabled (SIGBUS BUS_ADRERR at the exact
 * address for the user, nothing in dmesg).
 *
 * mmlab's page tables have no huge PFN entries: a PMD or PUD mapping is
 * drawn as its 512 (or 262144) PTEs, all filled by the one fault, which
 * is what the fault count shows.
 * @module
 */

import { EINVAL } from "../../abi/errno.ts";
import type { KnobValue } from "../../policy.ts";
import type { OpenFile } from "../../fs/file.ts";
import type { Vma } from "../../mm/vma.ts";
import {
  type FaultPrediction,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  type VmFault,
  type VmOperations,
} from "../../mm/vm_ops.ts";
import { remapPfnRange, vmfInsertPfn } from "../../mm/pfnmap.ts";
import { vmFlagsSet, withMmapReadLock } from "../../mm/mmap_lock.ts";
import { zapRange } from "../../mm/zap.ts";
import { CACHE_UC_MINUS } from "../../mm/pagetable.ts";
import {
  combine,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_PFNMAP,
  VM_SHARED,
} from "../../mm/vm_flags.ts";
import { pciRequestRegions } from "../../pci/pci.ts";
import {
  VFIO_PCI_NUM_REGIONS,
  VFIO_PCI_OFFSET_SHIFT,
  VFIO_PCI_ROM_REGION_INDEX,
} from "../../abi/vfio.ts";
import type { VfioPciDevice } from "./device.ts";

type Impl = KnobValue<"vfio.faultImpl">;

/** vm_private_data of a BAR VMA (shared by the pieces of a split). */
export interface VfioVmaPriv {
  vdev: VfioPciDevice;
  impl: Impl;
  /** The BAR the VMA maps. */
  bar: number;
}

/** VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT: the pgoff bits that name the region. */
const INDEX_SHIFT = VFIO_PCI_OFFSET_SHIFT - 12;
const PAGES_MASK = 2 ** INDEX_SHIFT;

/** The orders huge_fault is asked for, biggest first (PUD_ORDER, PMD_ORDER, then a page). */
const PUD_ORDER = 18;
const PMD_ORDER = 9;

/** How each design sets up the VMA at mmap: whether it remaps now, and vm_pgoff. */
const AT_MMAP: Record<Impl, { remap: boolean; pgoffIsPfn: boolean }> = {
  "mmap-remap": { remap: true, pgoffIsPfn: true },
  "remap-in-fault": { remap: false, pgoffIsPfn: true },
  "insert-pfn+prefault": { remap: false, pgoffIsPfn: false },
  "insert-pfn": { remap: false, pgoffIsPfn: false },
  "huge-fault": { remap: false, pgoffIsPfn: false },
  "eager-reinsert": { remap: false, pgoffIsPfn: false },
};

/**
 * vfio_pci_core_mmap(): the region index from the offset's high bits;
 * EINVAL for an index past the regions, a private mapping (!VM_SHARED), a
 * ROM/config/VGA index, a BAR that cannot be mmapped (I/O, empty, small),
 * or a range past the page-aligned BAR. Then the BAR is claimed (once),
 * the mapping made uncached and VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP
 * ("we can't change vm_flags within the fault handler"), except in the
 * ≤5.7 design, where remap_pfn_range maps it all now and sets the flags.
 */
export function vfioPciMmap(vdev: VfioPciDevice, _file: OpenFile, vma: Vma): number {
  const index = Math.floor(vma.pgoff / PAGES_MASK);
  if (index >= VFIO_PCI_NUM_REGIONS) return -EINVAL;
  if (vma.end < vma.start) return -EINVAL;
  if (!(vma.flags & VM_SHARED)) return -EINVAL;
  if (index >= VFIO_PCI_ROM_REGION_INDEX) return -EINVAL;
  if (!vdev.barMmapSupported[index]) return -EINVAL;
  const bar = vdev.pdev.bars[index]!;
  const physLen = Math.ceil(bar.size / 4096) * 4096;
  const reqLen = vma.end - vma.start;
  const pgoff = vma.pgoff % PAGES_MASK;
  const reqStart = pgoff * 4096;
  if (reqStart + reqLen > physLen) return -EINVAL;
  // "Even though we don't make use of the barmap for the mmap, we need to
  // request the region and the barmap tracks that."
  const r = vfioPciSetupBarmap(vdev, index);
  if (r < 0) return r;
  const impl = vdev.m.policy("vfio.faultImpl");
  const pfn = bar.addr / 4096 + pgoff;
  const priv: VfioVmaPriv = { vdev, impl, bar: index };
  vma.priv = priv;
  vma.cacheMode = CACHE_UC_MINUS; // pgprot_noncached()
  const how = AT_MMAP[impl];
  if (how.pgoffIsPfn) vma.pgoff = pfn;
  if (how.remap) {
    // ≤5.7: no vm_ops of its own (mmap_region gives it vma_dummy_vm_ops).
    vma.ops = DUMMY_VM_OPS;
    return remapPfnRange(vma, vma.start, pfn, reqLen);
  }
  vmFlagsSet(vma, combine(VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP));
  vma.ops = impl === "remap-in-fault" ? VFIO_PCI_MMAP_OPS_LIST : VFIO_PCI_MMAP_OPS;
  return 0;
}

/**
 * vfio_pci_core_setup_barmap(): the first mmap, read or write of a BAR
 * claims it for vfio-pci (pci_request_selected_regions, /proc/iomem) and
 * maps it for the kernel (pci_iomap); the claim lasts until the last close.
 */
export function vfioPciSetupBarmap(vdev: VfioPciDevice, index: number): number {
  if (vdev.barmap & (1 << index)) return 0;
  const r = pciRequestRegions(vdev.m.pci, vdev.pdev, "vfio-pci", 1 << index);
  if (r < 0) return r;
  vdev.barmap |= 1 << index;
  return 0;
}

/** mm/vma.c vma_dummy_vm_ops: a file mapping whose driver set none. */
const DUMMY_VM_OPS: VmOperations = Object.freeze({});

function privOf(vma: Vma): VfioVmaPriv {
  return vma.priv as VfioVmaPriv;
}

/**
 * vma_to_pfn(): the pfn mapped at vma->vm_start, from vm_pgoff, so it
 * stays right when the VMA is split or partly unmapped: ≤6.9 vm_pgoff is
 * the pfn itself; 6.10+ it is the region offset, index << 28 | page.
 */
export function vmaToPfn(vma: Vma): number {
  const p = privOf(vma);
  if (AT_MMAP[p.impl].pgoffIsPfn) return vma.pgoff;
  return p.vdev.pdev.bars[p.bar]!.addr / 4096 + (vma.pgoff % PAGES_MASK);
}

/** Records a fault for the views and returns its result. */
function record(vdev: VfioPciDevice, addr: number, order: number, ptes: number, ret: number) {
  vdev.faults.push({ addr, order, ptes, ret });
  return ret;
}

/** Fills [from, to) of `vma` with its pfns, skipping present PTEs; returns how many it set. */
function insertRange(vma: Vma, from: number, to: number): number {
  const pfn = vmaToPfn(vma);
  const pt = vma.mm.pt;
  let n = 0;
  for (let a = from; a < to; a += 4096) {
    if (pt.bitsAt(a / 4096) !== 0) continue;
    vmfInsertPfn(vma, a, pfn + (a - vma.start) / 4096);
    n++;
  }
  return n;
}

/**
 * What a BAR fault at page `address` of `vma` does, in every design: the
 * one decision the handlers below act on and `explain` reports
 * (lib/trace/explain.ts). Pure: it reads the device, the VMA and its PTEs.
 */
export interface VfioFaultPlan {
  /** The design the VMA was mapped under (vfio.faultImpl at mmap). */
  impl: Impl;
  /** The handler: vfio_pci_mmap_huge_fault (≥6.12) or vfio_pci_mmap_fault. */
  fn: string;
  /** __vfio_pci_memory_enabled(): false is VM_FAULT_SIGBUS. */
  memory: boolean;
  /** 5.8-6.9: the VMA is on vma_list already, a racing fault mapped it: nothing to do. */
  listed: boolean;
  /** The order mapped: 0 a page, PMD_ORDER, PUD_ORDER (huge-fault). */
  order: number;
  /** The range the fault fills, [from, to): the page, a huge block, a prefault, the VMA. */
  from: number;
  /** End of the range the fault fills. */
  to: number;
  /** The pfn of the BAR page at `address`. */
  pfn: number;
  /** PTEs the fault fills (the range's none PTEs; the whole VMA for remap-in-fault). */
  ptes: number;
}

// drivers/vfio/pci/vfio_pci_core.c: vfio_pci_mmap_huge_fault (≥6.12),
// vfio_pci_mmap_fault (5.8-6.11): memory_lock, __vfio_pci_memory_enabled,
// then the insert (or io_remap_pfn_range of the VMA, 5.8-6.9).
export function vfioPciFaultPlan(vma: Vma, address: number): VfioFaultPlan {
  const { vdev, impl } = privOf(vma);
  const base = vmaToPfn(vma);
  const pfn = base + (address - vma.start) / 4096;
  const plan: VfioFaultPlan = {
    impl,
    fn: impl === "huge-fault" ? "vfio_pci_mmap_huge_fault" : "vfio_pci_mmap_fault",
    memory: vdev.memoryEnabled(),
    listed: false,
    order: 0,
    from: address,
    to: address + 4096,
    pfn,
    ptes: 1,
  };
  switch (impl) {
    case "mmap-remap":
      // ≤5.7 has no handler: every PTE was made at mmap.
      plan.memory = false;
      plan.ptes = 0;
      break;
    case "remap-in-fault":
      plan.listed = vdev.vmaList.has(vma);
      plan.from = vma.start;
      plan.to = vma.end;
      plan.ptes = plan.listed ? 0 : vma.pages;
      break;
    case "insert-pfn+prefault":
    case "eager-reinsert":
      plan.from = vma.start;
      plan.to = vma.end;
      plan.ptes = 1 + nonePtes(vma, vma.start, address) + nonePtes(vma, address + 4096, vma.end);
      break;
    case "insert-pfn":
      break;
    case "huge-fault":
      for (const order of [PUD_ORDER, PMD_ORDER]) {
        const size = 4096 * 2 ** order;
        const addr = address - (address % size);
        const p = base + (addr - vma.start) / 4096;
        // An order > 0 falls back (VM_FAULT_FALLBACK) unless the aligned block
        // lies inside the VMA and its pfn is aligned to the order.
        if (addr < vma.start || addr + size > vma.end || p % 2 ** order !== 0) continue;
        plan.order = order;
        plan.from = addr;
        plan.to = addr + size;
        plan.ptes = nonePtes(vma, addr, addr + size);
        break;
      }
      break;
  }
  if (!plan.memory) plan.ptes = 0;
  return plan;
}

/** How many PTEs of [from, to) are none (what insertRange would fill). */
function nonePtes(vma: Vma, from: number, to: number): number {
  let n = 0;
  for (let a = from; a < to; a += 4096) if (vma.mm.pt.bitsAt(a / 4096) === 0) n++;
  return n;
}

/**
 * 5.8-6.9 vfio_pci_mmap_fault(): under vma_lock and memory_lock (read),
 * SIGBUS when memory is disabled; a VMA already on vma_list was mapped by
 * a racing fault (the ≈5.13 guard); otherwise io_remap_pfn_range() of the
 * whole VMA from the fault handler, under the mmap *read* lock, whose
 * vm_flags_set() asserts the write lock (mm.vmFlagsAssert: the WARNING),
 * then the VMA joins vma_list so that a memory disable can zap it.
 */
function remapInFault(vmf: VmFault, plan: VfioFaultPlan): number {
  const vma = vmf.vma;
  const { vdev } = privOf(vma);
  if (!plan.memory) return record(vdev, vmf.address, -1, 0, VM_FAULT_SIGBUS);
  if (plan.listed) return record(vdev, vmf.address, 0, 0, VM_FAULT_NOPAGE);
  const r = remapPfnRange(vma, vma.start, vmaToPfn(vma), vma.end - vma.start, [
    "vfio_pci_mmap_fault",
    "__do_fault",
    "do_fault",
    "__handle_mm_fault",
    "handle_mm_fault",
    "do_user_addr_fault",
    "exc_page_fault",
    "asm_exc_page_fault",
  ]);
  if (r !== 0) {
    // The kernel zaps what it filled and answers SIGBUS (after the BUG,
    // the task is dead anyway).
    zapRange(vma.mm, vma, vma.start, vma.end, { dropMarkers: false });
    return record(vdev, vmf.address, -1, 0, VM_FAULT_SIGBUS);
  }
  vdev.vmaList.add(vma);
  return record(vdev, vmf.address, 0, vma.pages, VM_FAULT_NOPAGE);
}

/**
 * 6.10-6.11 vfio_pci_mmap_fault(): vmf_insert_pfn() for the faulting page,
 * then "pre-fault the remainder of the vma" page by page, ignoring errors
 * (`prefault`); without it (the comparison design) one fault per page.
 */
function insertPfnFault(vmf: VmFault, plan: VfioFaultPlan, prefault: boolean): number {
  const vma = vmf.vma;
  const { vdev } = privOf(vma);
  if (!plan.memory) return record(vdev, vmf.address, -1, 0, VM_FAULT_SIGBUS);
  const ret = vmfInsertPfn(vma, vmf.address, plan.pfn);
  let n = 1;
  if (prefault) {
    n += insertRange(vma, vma.start, vmf.address) +
      insertRange(vma, vmf.address + 4096, vma.end);
  }
  return record(vdev, vmf.address, 0, n, ret);
}

/**
 * ≥6.12 vfio_pci_mmap_huge_fault(): the core asks for a PUD, then a PMD,
 * then a page. An order > 0 falls back (VM_FAULT_FALLBACK) unless the
 * aligned block around the address lies inside the VMA and its pfn is
 * aligned to the order (the PFN test is the January 2025 fix; 6.12 and
 * 6.13 checked the address only). Memory disabled: SIGBUS, as above.
 */
function hugeFault(vmf: VmFault, plan: VfioFaultPlan): number {
  const vma = vmf.vma;
  const { vdev } = privOf(vma);
  if (!plan.memory) return record(vdev, vmf.address, -1, 0, VM_FAULT_SIGBUS);
  // vmf_insert_pfn_pud/pmd/vmf_insert_pfn (see the module note on huge entries).
  const n = plan.order === 0
    ? (vmfInsertPfn(vma, vmf.address, plan.pfn), 1)
    : insertRange(vma, plan.from, plan.to);
  return record(vdev, plan.from, plan.order, n, VM_FAULT_NOPAGE);
}

const FAULT: Record<
  Exclude<Impl, "mmap-remap">,
  (vmf: VmFault, plan: VfioFaultPlan) => number
> = {
  "remap-in-fault": remapInFault,
  "insert-pfn+prefault": (vmf, plan) => insertPfnFault(vmf, plan, true),
  "insert-pfn": (vmf, plan) => insertPfnFault(vmf, plan, false),
  "huge-fault": hugeFault,
  "eager-reinsert": (vmf, plan) => insertPfnFault(vmf, plan, true),
};

/** The trace line's decision text of a plan. */
function planText(plan: VfioFaultPlan): string {
  return `vfio.faultImpl=${plan.impl}, PCI_COMMAND_MEMORY ${
    plan.memory ? "set" : "clear: VM_FAULT_SIGBUS"
  }`;
}

function vfioFault(vmf: VmFault): number {
  const plan = vfioPciFaultPlan(vmf.vma, vmf.address);
  // `trace on` (lib/trace/kernel_trace.ts): the handler and what decided.
  vmf.vma.mm.machine.trace?.step(
    "handle_mm_fault → handle_pte_fault → do_fault → __do_fault → " + plan.fn,
    planText(plan),
    plan.memory
      ? { policy: `vfio.faultImpl=${plan.impl}`, pfn: plan.pfn }
      : { policy: `vfio.faultImpl=${plan.impl}`, errno: "VM_FAULT_SIGBUS" },
  );
  return plan.impl === "mmap-remap" ? VM_FAULT_SIGBUS : FAULT[plan.impl](vmf, plan);
}

/** The prediction `explain` shows: {@link vfioPciFaultPlan} in words. */
function vfioPredict(vmf: VmFault): FaultPrediction {
  const plan = vfioPciFaultPlan(vmf.vma, vmf.address);
  const policies = [`vfio.faultImpl=${plan.impl}`];
  const hex = (n: number) => "0x" + n.toString(16);
  const base = { fn: plan.fn, policies };
  if (plan.impl === "mmap-remap") {
    return { ...base, result: "sigbus", pfn: -1, ptes: 0, why: "≤5.7 mapped it all at mmap" };
  }
  if (!plan.memory) {
    return {
      ...base,
      result: "sigbus",
      pfn: -1,
      ptes: 0,
      why: `the device's PCI_COMMAND_MEMORY is clear (__vfio_pci_memory_enabled)`,
    };
  }
  if (plan.impl === "remap-in-fault") {
    // Shown, not decided here (mmap_lock.ts vmaStartWrite maps its values).
    const shown = "mm.vmFlagsAssert";
    policies.push(`${shown}=${vmf.vma.mm.machine.policy(shown)}`);
  }
  const how = plan.impl === "remap-in-fault"
    ? (plan.listed
      ? "the VMA is on vma_list: nothing mapped"
      : "io_remap_pfn_range of the whole VMA under the mmap read lock")
    : plan.order > 0
    ? `vmf_insert_pfn_${plan.order === PUD_ORDER ? "pud" : "pmd"} of the aligned block`
    : plan.ptes > 1
    ? "vmf_insert_pfn, then the rest of the VMA prefaulted"
    : "vmf_insert_pfn of the page";
  return {
    ...base,
    result: "map",
    pfn: plan.pfn,
    ptes: plan.ptes,
    why: `memory enabled: ${how}, BAR${privOf(vmf.vma).bar} pfn ${hex(plan.pfn)}`,
  };
}

/** 6.10+: vfio_pci_mmap_ops = { .fault / .huge_fault } and nothing else. */
const VFIO_PCI_MMAP_OPS: VmOperations = Object.freeze({
  fault: vfioFault,
  predictFault: vfioPredict,
});

/**
 * 5.8-6.9: the vma_list design also needs ->open (vfio_pci_mmap_open: a
 * VMA copied by fork or split starts zapped, so that its first fault puts
 * it on the list) and ->close (vfio_pci_mmap_close: off the list).
 *
 * When fork calls ->open relative to copying the PTEs is policy
 * fork.openBeforeCopy: after (up to 6.8), the zap empties the child's
 * copy; before (6.9, 6.6.y), the child keeps copied BAR PTEs that are on
 * no list, and a memory disable does not reach them.
 */
const VFIO_PCI_MMAP_OPS_LIST: VmOperations = Object.freeze({
  fault: vfioFault,
  predictFault: vfioPredict,
  open(vma: Vma) {
    zapRange(vma.mm, vma, vma.start, vma.end, { dropMarkers: false });
  },
  close(vma: Vma) {
    privOf(vma).vdev.vmaList.delete(vma);
  },
});

/** Whether a VMA of the device fd maps a BAR (region index < ROM). */
function mapsBar(vma: Vma): boolean {
  const p = vma.priv as VfioVmaPriv | null;
  return p !== null && p.bar < VFIO_PCI_ROM_REGION_INDEX;
}

/**
 * vfio_pci_zap_bars() (inside vfio_pci_zap_and_down_write_memory_lock):
 * 5.8-6.9 walk vma_list, each under its mm's mmap_read_lock, zap_vma_ptes,
 * and drop it from the list; 6.10+ unmap_mapping_range() over BAR0-BAR5 of
 * the device inode, i.e. every VMA in every process. A ≤5.7 mapping is
 * never zapped: the user keeps reaching the device. Returns PTEs cleared.
 */
export function vfioPciZapBars(vdev: VfioPciDevice): number {
  let n = 0;
  for (const vma of [...vdev.vmaList]) {
    n += withMmapReadLock(
      vma.mm,
      () => zapRange(vma.mm, vma, vma.start, vma.end, { dropMarkers: false }),
    );
  }
  vdev.vmaList.clear();
  for (const vma of vdev.inode.mappings) {
    if (!mapsBar(vma)) continue;
    const impl = privOf(vma).impl;
    if (impl === "mmap-remap" || impl === "remap-in-fault") continue;
    n += zapRange(vma.mm, vma, vma.start, vma.end, { dropMarkers: false });
  }
  vdev.zaps++;
  vdev.zappedPtes += n;
  return n;
}

/**
 * Peter Xu's non-lazy alternative (never merged): when memory comes back
 * on, re-insert every BAR mapping at once instead of waiting for faults.
 */
export function vfioPciReinsertBars(vdev: VfioPciDevice): number {
  let n = 0;
  for (const vma of vdev.inode.mappings) {
    if (mapsBar(vma) && privOf(vma).impl === "eager-reinsert") {
      n += insertRange(vma, vma.start, vma.end);
    }
  }
  vdev.reinserted += n;
  return n;
}
