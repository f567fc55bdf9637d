/**
 * Heterogeneous memory management, the mirror half (mm/hmm.c): a device
 * driver asks what the CPU page table holds for a range of an mm, faulting
 * pages in when it asks for that, and keeps its own device page table in
 * step through an interval notifier (./mmu_notifier.ts).
 *
 * One slot per page, an `unsigned long` (include/linux/hmm.h):
 * ```
 *  63    62    61    60..56        55 ........................ 0
 * +-----+-----+-----+-------------+-----------------------------+
 * |VALID|WRITE|ERROR| map order   |            pfn              |
 * +-----+-----+-----+-------------+-----------------------------+
 *  in:  REQ_FAULT = VALID bit, REQ_WRITE = WRITE bit (per slot, or for all
 *       slots through default_flags; pfn_flags_mask says which per-slot
 *       bits count)
 *  out: VALID (+WRITE) with the pfn; ERROR for a slot that cannot be
 *       mirrored (no VMA, VM_IO/VM_PFNMAP, no VM_READ, a special PTE);
 *       0 for a slot that is not present and was not asked to fault
 * ```
 * VALID/WRITE/ERROR are bits 63/62/61 in every release; the order field
 * sits at HMM_PFN_ORDER_SHIFT = 56 (5.13 to 6.14; 2025 patches moved it:
 * use the names). mmlab maps no PMDs, so the order is always 0.
 *
 * Return codes of hmm_range_fault() (the caller holds the mmap lock):
 * -EBUSY the notifier sequence moved (read_begin again), -EFAULT a fault
 * was asked for a hole, an unreadable or VM_IO/VM_PFNMAP VMA, a special
 * PTE, or the fault failed (SIGBUS/SIGSEGV/OOM), -EPERM a write fault was
 * asked for a VMA without VM_WRITE.
 *
 * The 2019 RFC ("mm/vma: add support for peer to peer to device vma",
 * policy hmm.p2pMap=rfc-2019, never merged): a special VMA whose
 * vm_operations has p2p_map is mirrored through the exporter, which gives
 * bus addresses for the importing device or refuses; and the "trial" call
 * hmm_mirror_is_maybe_supported() reports at MR creation time why a range
 * could not be mirrored.
 * @module
 */

import { EBUSY, EFAULT, EOPNOTSUPP, EPERM } from "../abi/errno.ts";
import type { KernelTrace } from "../trace/kernel_trace.ts";
import { errnoText, hexAddr, vmaText } from "./trace_text.ts";
import type { Mm } from "./mm.ts";
import type { KnobValue } from "../policy.ts";
import type { Vma } from "./vma.ts";
import type { VmOperations } from "./vm_ops.ts";
import {
  mmuIntervalCheckRetry,
  type MmuIntervalNotifier,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
} from "./mmu_notifier.ts";
import {
  PTE_DEVMAP,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_WRITE,
} from "./pagetable.ts";
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from "./vm_flags.ts";
import { handleMmFault } from "./fault.ts";
import { VM_FAULT_ERROR } from "./vm_ops.ts";
import { withMmapReadLock } from "./mmap_lock.ts";
import { COST_FAULT_NS } from "../util/clock.ts";

/** enum hmm_pfn_flags. */
export const HMM_PFN_VALID = 1n << 63n;
/** HMM_PFN_WRITE: the CPU PTE is writable (output); with REQ_FAULT, fault for write (input). */
export const HMM_PFN_WRITE = 1n << 62n;
/** HMM_PFN_ERROR: the address cannot be mirrored (no VMA, poisoned or special entry). */
export const HMM_PFN_ERROR = 1n << 61n;
export const HMM_PFN_ORDER_SHIFT = 56n;
/** HMM_PFN_REQ_FAULT: input flag: fault the page in if it is not present (same bit as VALID). */
export const HMM_PFN_REQ_FAULT: bigint = HMM_PFN_VALID;
/** HMM_PFN_REQ_WRITE: input flag: fault for write access (same bit as WRITE). */
export const HMM_PFN_REQ_WRITE: bigint = HMM_PFN_WRITE;
export const HMM_PFN_FLAGS = 0xffn << HMM_PFN_ORDER_SHIFT;
/** HMM_RANGE_DEFAULT_TIMEOUT: how long a driver retries -EBUSY (ms). */
export const HMM_RANGE_DEFAULT_TIMEOUT = 1000;

/** Result flag names, highest bit first. */
export const HMM_PFN_NAMES: ReadonlyArray<readonly [string, bigint]> = [
  ["HMM_PFN_VALID", HMM_PFN_VALID],
  ["HMM_PFN_WRITE", HMM_PFN_WRITE],
  ["HMM_PFN_ERROR", HMM_PFN_ERROR],
];

/** Request flag names (the same bits on input). */
export const HMM_PFN_REQ_NAMES: ReadonlyArray<readonly [string, bigint]> = [
  ["HMM_PFN_REQ_FAULT", HMM_PFN_REQ_FAULT],
  ["HMM_PFN_REQ_WRITE", HMM_PFN_REQ_WRITE],
];

/** hmm_vma_walk: what a fault needs (HMM_NEED_FAULT, HMM_NEED_WRITE_FAULT). */
const NEED_FAULT = 1;
const NEED_WRITE_FAULT = 2;

/** What the RFC's p2p_map gives an importer for a range of a special VMA. */
export interface P2pMapResult {
  /** Bus pfns (bus address >> 12), one per page. */
  readonly busPfns: readonly number[];
  readonly write: boolean;
}

/**
 * vm_operations_struct with the 2019 RFC's hooks: `p2pMap(vma, importer,
 * start, end, write)` returns the importer's bus addresses for the range,
 * or -errno when the exporter refuses (the p2p distance forbids it, the
 * range is not exportable). `importer` is the importing device as its
 * driver knows it (a PCI function; opaque to mm).
 */
export interface P2pVmOperations extends VmOperations {
  p2pMap?(vma: Vma, importer: unknown, start: number, end: number, write: boolean):
    | P2pMapResult
    | number;
}

/** `struct hmm_range`. */
export interface HmmRange {
  /** The mmu_interval_notifier the range is checked against. */
  notifier: MmuIntervalNotifier;
  /** The notifier sequence from mmu_interval_read_begin(). */
  notifierSeq: number;
  /** Page aligned, start < end. */
  start: number;
  /** End of the range (exclusive). */
  end: number;
  /** One slot per page: request flags in, pfn | result flags out. */
  hmmPfns: BigUint64Array;
  /** Flags OR-ed into every slot's request (range->default_flags). */
  defaultFlags: bigint;
  /** Which per-slot request flags count (range->pfn_flags_mask). */
  pfnFlagsMask: bigint;
  /**
   * RFC p2p_map only: the importing device, and which slots hold bus
   * addresses the exporter gave (not CPU pfns).
   */
  p2pImporter?: unknown;
  /** RFC p2p_map only: which slots hold a bus address rather than a CPU pfn. */
  p2p?: boolean[];
}

/** A range over `npages` from `start` for `sub`, every slot requesting `defaultFlags`. */
export function hmmRange(
  sub: MmuIntervalNotifier,
  start: number,
  npages: number,
  defaultFlags: bigint,
): HmmRange {
  return {
    notifier: sub,
    notifierSeq: 0,
    start,
    end: start + npages * 4096,
    hmmPfns: new BigUint64Array(npages),
    defaultFlags,
    pfnFlagsMask: 0n,
  };
}

/** hmm_pfn_to_page()'s pfn: the slot without its flag byte. */
export function hmmPfnToPfn(slot: bigint): number {
  return Number(slot & ~HMM_PFN_FLAGS);
}

/** hmm_pfn_to_map_order(). */
export function hmmPfnToMapOrder(slot: bigint): number {
  return Number((slot >> HMM_PFN_ORDER_SHIFT) & 0x1fn);
}

/** `HMM_PFN_VALID|HMM_PFN_WRITE`, or `0`. */
export function hmmPfnFlagNames(slot: bigint): string {
  const names = HMM_PFN_NAMES.filter(([, b]) => (slot & b) !== 0n).map(([n]) => n);
  return names.length === 0 ? "0" : names.join("|");
}

/** Request flags by name (`HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE`), or `0`. */
export function hmmReqFlagNames(flags: bigint): string {
  const names = HMM_PFN_REQ_NAMES.filter(([, b]) => (flags & b) !== 0n).map(([n]) => n);
  return names.length === 0 ? "0" : names.join("|");
}

interface Walk {
  range: HmmRange;
  /** hmm_vma_walk->last: where the next walk starts after -EBUSY. */
  last: number;
}

/** The slot index of `addr`. */
function slotOf(range: HmmRange, addr: number): number {
  return (addr - range.start) / 4096;
}

/** mm/hmm.c: hmm_pte_need_fault(). */
function pteNeedFault(range: HmmRange, req: bigint, cpu: bigint): number {
  req &= range.pfnFlagsMask;
  req |= range.defaultFlags;
  if (!(req & HMM_PFN_REQ_FAULT)) return 0;
  if ((req & HMM_PFN_REQ_WRITE) && !(cpu & HMM_PFN_WRITE)) return NEED_FAULT | NEED_WRITE_FAULT;
  if (!(cpu & HMM_PFN_VALID)) return NEED_FAULT;
  return 0;
}

/** mm/hmm.c: hmm_range_need_fault(): what any slot of [from, to) needs. */
function rangeNeedFault(range: HmmRange, from: number, to: number, cpu: bigint): number {
  // The common case: no slot can ask for anything.
  if (!((range.defaultFlags | range.pfnFlagsMask) & HMM_PFN_REQ_FAULT)) return 0;
  let need = 0;
  for (let i = slotOf(range, from); i < slotOf(range, to); i++) {
    need |= pteNeedFault(range, range.hmmPfns[i], cpu);
    if (need & NEED_WRITE_FAULT) break;
  }
  return need;
}

/** mm/hmm.c: hmm_pfns_fill(). */
function pfnsFill(range: HmmRange, from: number, to: number, value: bigint): void {
  for (let i = slotOf(range, from); i < slotOf(range, to); i++) range.hmmPfns[i] = value;
}

/**
 * mm/hmm.c: hmm_vma_fault(): a write fault on a VMA without VM_WRITE is
 * -EPERM; otherwise handle_mm_fault(FAULT_FLAG_REMOTE [| WRITE]) for every
 * page of [addr, end) (the rest of the walk's PTE table, not only the
 * slots that asked), -EFAULT on VM_FAULT_ERROR, else -EBUSY so that the
 * walk restarts at `addr` and reads what the faults installed.
 */
function vmaFault(mm: Mm, walk: Walk, vma: Vma, addr: number, end: number, need: number): number {
  walk.last = addr;
  const write = (need & NEED_WRITE_FAULT) !== 0;
  const tr = mm.machine.trace;
  if (write && !(vma.flags & VM_WRITE)) {
    tr?.step(
      `${WALK_PMD} → hmm_vma_fault`,
      "a write fault asked of a VMA without VM_WRITE: -EPERM",
      {
        vma: vmaText(vma),
        errno: "-EPERM",
      },
    );
    return -EPERM;
  }
  tr?.begin(
    `${WALK_PMD} → hmm_vma_fault`,
    `${write ? "write" : "read"} faults over [${hexAddr(addr)}, ${
      hexAddr(end)
    }): handle_mm_fault(FAULT_FLAG_REMOTE${write ? "|FAULT_FLAG_WRITE" : ""})`,
    { vma: vmaText(vma) },
  );
  const user = mm.faultFlagUser;
  mm.faultFlagUser = false;
  try {
    // FAULT_FLAG_REMOTE without FAULT_FLAG_ALLOW_RETRY: a userfault cannot wait.
    const failed = mm.userfaults.withoutRetry(() => {
      for (let a = addr; a < end; a += 4096) {
        mm.machine.clock.advance(COST_FAULT_NS);
        if (handleMmFault(mm, vma, a, a, write) & VM_FAULT_ERROR) return true;
      }
      return false;
    });
    if (failed) {
      tr?.step("", "a fault failed (VM_FAULT_ERROR): -EFAULT", { errno: "-EFAULT" });
      return -EFAULT;
    }
  } finally {
    mm.faultFlagUser = user;
    tr?.end();
  }
  tr?.step(
    `${WALK_PMD} → hmm_vma_fault`,
    `faults done: -EBUSY, the walk restarts at ${hexAddr(addr)}`,
  );
  return -EBUSY;
}

/** walk_page_range() -> hmm_vma_walk_pmd(): the chain of the per-PTE steps. */
const WALK_PMD = "walk_page_range → hmm_vma_walk_pmd";

/** pte_to_hmm_pfn_flags(). */
function pteFlags(bits: number): bigint {
  if (!(bits & PTE_PRESENT) || (bits & PTE_PROTNONE)) return 0n;
  return bits & PTE_WRITE ? HMM_PFN_VALID | HMM_PFN_WRITE : HMM_PFN_VALID;
}

const PMD_SIZE = 0x200000;

/** Policy hmm.specialVma: whether a special or unreadable VMA fails even when nothing asks to fault it. */
const SPECIAL_ALWAYS_EFAULT: Record<KnobValue<"hmm.specialVma">, boolean> = {
  efault: true,
  "error-pfn": false,
};

/** Policy hmm.p2pMap: whether a special VMA's exporter is asked (the 2019 RFC's p2p_map). */
const ASK_EXPORTER: Record<KnobValue<"hmm.p2pMap">, boolean> = {
  off: false,
  "rfc-2019": true,
};

/**
 * mm/hmm.c: hmm_vma_walk_pmd() over [start, end) of one readable, normal
 * VMA inside one PMD: no PTE table is hmm_vma_walk_hole() with a VMA;
 * otherwise hmm_vma_handle_pte() page by page.
 */
function walkPmd(mm: Mm, walk: Walk, vma: Vma, start: number, end: number): number {
  const range = walk.range;
  const tr = mm.machine.trace;
  if (mm.pt.table(start / 4096, false) === undefined) {
    const need = rangeNeedFault(range, start, end, 0n);
    tr?.step(
      `${WALK_PMD} → hmm_vma_walk_hole`,
      `no page table under [${hexAddr(start)}, ${hexAddr(end)}): ${
        need ? "a fault is asked" : "slots left empty (0)"
      }`,
    );
    if (need) return vmaFault(mm, walk, vma, start, end, need);
    pfnsFill(range, start, end, 0n);
    return 0;
  }
  const zero = mm.machine.frames.zeroPfn;
  for (let addr = start; addr < end; addr += 4096) {
    const i = slotOf(range, addr);
    const req = range.hmmPfns[i];
    const vpn = addr / 4096;
    const bits = mm.pt.bitsAt(vpn);
    // pte_none_mostly(): none, or a marker (guard region, uffd-wp).
    if (bits === 0 || (bits & PTE_MARKER && !(bits & PTE_PRESENT))) {
      const need = pteNeedFault(range, req, 0n);
      if (need) return vmaFault(mm, walk, vma, addr, end, need);
      range.hmmPfns[i] = 0n;
      continue;
    }
    if (!(bits & PTE_PRESENT)) {
      // A swap entry: fault it in when asked, else report nothing.
      const need = pteNeedFault(range, req, 0n);
      if (need) return vmaFault(mm, walk, vma, addr, end, need);
      range.hmmPfns[i] = 0n;
      continue;
    }
    const cpu = pteFlags(bits);
    const need = pteNeedFault(range, req, cpu);
    if (need) return vmaFault(mm, walk, vma, addr, end, need);
    const pfn = mm.pt.pfnAt(vpn);
    // A special PTE with no struct page (not DAX, not the zero page).
    if ((bits & PTE_SPECIAL) && !(bits & PTE_DEVMAP) && pfn !== zero) {
      const fault = pteNeedFault(range, req, 0n) !== 0;
      tr?.step(
        `${WALK_PMD} → hmm_vma_handle_pte`,
        `special PTE at ${hexAddr(addr)} (no struct page): ${
          fault ? "a fault is asked: -EFAULT" : "HMM_PFN_ERROR"
        }`,
        fault ? { errno: "-EFAULT", pfn } : { pfn },
      );
      if (fault) return -EFAULT;
      range.hmmPfns[i] = HMM_PFN_ERROR;
      continue;
    }
    range.hmmPfns[i] = BigInt(pfn) | cpu;
  }
  if (tr !== null) traceSlots(tr, range, start, end);
  return 0;
}

/** What hmm_vma_handle_pte() left in the slots of [start, end), counted. */
function traceSlots(tr: KernelTrace, range: HmmRange, start: number, end: number): void {
  let valid = 0, write = 0, error = 0, none = 0;
  for (let i = slotOf(range, start); i < slotOf(range, end); i++) {
    const v = range.hmmPfns[i];
    if (v & HMM_PFN_ERROR) error++;
    else if (v & HMM_PFN_VALID) {
      valid++;
      if (v & HMM_PFN_WRITE) write++;
    } else none++;
  }
  tr.step(
    `${WALK_PMD} → hmm_vma_handle_pte`,
    `[${hexAddr(start)}, ${
      hexAddr(end)
    }): ${valid} HMM_PFN_VALID (${write} HMM_PFN_WRITE), ${error} HMM_PFN_ERROR, ${none} empty`,
  );
}

/**
 * The RFC's special-VMA path (hmm.p2pMap=rfc-2019): the exporter's
 * p2p_map for the importer; its refusal is a hard failure when a fault is
 * asked (the same -EFAULT as today), ERROR slots otherwise.
 */
function walkP2p(walk: Walk, vma: Vma, start: number, end: number): number | null {
  const range = walk.range;
  const ops = vma.ops as P2pVmOperations | null;
  if (ops?.p2pMap === undefined || range.p2pImporter === undefined) return null;
  const need = rangeNeedFault(range, start, end, 0n);
  const r = ops.p2pMap(vma, range.p2pImporter, start, end, (need & NEED_WRITE_FAULT) !== 0);
  if (typeof r === "number") {
    if (need) return -EFAULT;
    pfnsFill(range, start, end, HMM_PFN_ERROR);
    return 0;
  }
  range.p2p ??= new Array(range.hmmPfns.length).fill(false);
  const flags = r.write ? HMM_PFN_VALID | HMM_PFN_WRITE : HMM_PFN_VALID;
  for (let a = start, k = 0; a < end; a += 4096, k++) {
    range.hmmPfns[slotOf(range, a)] = BigInt(r.busPfns[k]) | flags;
    range.p2p[slotOf(range, a)] = true;
  }
  return 0;
}

/** walk_page_range(mm, walk.last, range.end, &hmm_walk_ops). */
function walkPageRange(mm: Mm, walk: Walk): number {
  const range = walk.range;
  let addr = walk.last;
  while (addr < range.end) {
    const vma = mm.vmas.find(addr);
    const tr = mm.machine.trace;
    if (vma === null || vma.start >= range.end || vma.start > addr) {
      // hmm_vma_walk_hole() without a VMA.
      const to = vma === null ? range.end : Math.min(vma.start, range.end);
      const fault = rangeNeedFault(range, addr, to, 0n) !== 0;
      tr?.step(
        "walk_page_range → hmm_vma_walk_hole",
        `no VMA over [${hexAddr(addr)}, ${hexAddr(to)}): ${
          fault ? "a fault is asked: -EFAULT" : "HMM_PFN_ERROR"
        }`,
        fault ? { errno: "-EFAULT" } : undefined,
      );
      if (fault) return -EFAULT;
      pfnsFill(range, addr, to, HMM_PFN_ERROR);
      addr = to;
      continue;
    }
    const to = Math.min(vma.end, range.end);
    // hmm_vma_walk_test(): no struct pages behind it, or unreadable.
    if ((vma.flags & (VM_IO | VM_PFNMAP)) || !(vma.flags & VM_READ)) {
      const p2p = mm.machine.policy("hmm.p2pMap");
      if (ASK_EXPORTER[p2p] && (vma.flags & VM_READ)) {
        const r = walkP2p(walk, vma, addr, to);
        if (r !== null) {
          tr?.step(
            "walk_page_range → hmm_vma_walk_test → p2p_map",
            r === 0 ? "the exporter gave bus addresses" : `the exporter refused: ${errnoText(r)}`,
            {
              vma: vmaText(vma),
              policy: `hmm.p2pMap=${p2p}`,
              ...(r === 0 ? {} : { errno: errnoText(r) }),
            },
          );
          if (r !== 0) return r;
          addr = to;
          continue;
        }
      }
      const fault = rangeNeedFault(range, addr, to, 0n) !== 0;
      const knob = mm.machine.policy("hmm.specialVma");
      const fails = fault || SPECIAL_ALWAYS_EFAULT[knob];
      tr?.step(
        "walk_page_range → hmm_vma_walk_test",
        `${vma.flags & VM_READ ? "VM_IO|VM_PFNMAP" : "no VM_READ"}: ${
          fault ? "a fault is asked: -EFAULT" : fails ? "-EFAULT even unasked" : "HMM_PFN_ERROR"
        }`,
        {
          vma: vmaText(vma),
          ...(fault ? {} : { policy: `hmm.specialVma=${knob}` }),
          ...(fails ? { errno: "-EFAULT" } : {}),
        },
      );
      if (fails) return -EFAULT;
      pfnsFill(range, addr, to, HMM_PFN_ERROR);
      addr = to;
      continue;
    }
    tr?.step("walk_page_range → hmm_vma_walk_test", `walked from ${hexAddr(addr)}`, {
      vma: vmaText(vma),
    });
    while (addr < to) {
      const pmdEnd = Math.min(to, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE);
      const ret = walkPmd(mm, walk, vma, addr, pmdEnd);
      if (ret !== 0) return ret;
      addr = pmdEnd;
    }
  }
  return 0;
}

/**
 * mm/hmm.c: hmm_range_fault(): fills `range.hmmPfns`. Walks again after
 * each round of faults (-EBUSY from hmm_vma_fault) from where it stopped,
 * but first returns -EBUSY itself when the notifier sequence moved since
 * range.notifierSeq (a fault's own COW invalidation does that: the caller
 * goes back to mmu_interval_read_begin). Runs under the mmap read lock.
 */
export function hmmRangeFault(range: HmmRange): number {
  const mm = range.notifier.mm;
  const tr = mm.machine.trace;
  if (tr === null) return hmmRangeFaultLocked(range);
  tr.begin(
    "hmm_range_fault",
    `[${hexAddr(range.start)}, ${
      hexAddr(range.end)
    }) interval ${range.notifier.id}, seq ${range.notifierSeq}, default_flags ${
      hmmReqFlagNames(range.defaultFlags)
    }`,
  );
  try {
    const r = hmmRangeFaultLocked(range);
    tr.step(
      "",
      `returns ${r === 0 ? "0" : errnoText(r)}`,
      r === 0 ? undefined : { errno: errnoText(r) },
    );
    return r;
  } finally {
    tr.end();
  }
}

function hmmRangeFaultLocked(range: HmmRange): number {
  const mm = range.notifier.mm;
  const walk: Walk = { range, last: range.start };
  return withMmapReadLock(mm, () => {
    for (let rounds = 0;; rounds++) {
      if (mmuIntervalCheckRetry(range.notifier, range.notifierSeq)) {
        mm.machine.trace?.step(
          "mmu_interval_check_retry",
          `seq ${range.notifierSeq} is now ${range.notifier.invalidateSeq}: -EBUSY`,
          { errno: "-EBUSY" },
        );
        return -EBUSY;
      }
      const ret = walkPageRange(mm, walk);
      if (ret !== -EBUSY) return ret;
      if (rounds > 4 * range.hmmPfns.length + 8) {
        throw new Error("hmm_range_fault: faults install nothing (an mmlab bug)");
      }
    }
  });
}

/** One try of {@link mirrorRangeFault}, for views. */
export interface MirrorTry {
  /** The notifier sequence this try read. */
  seq: number;
  /** The try's result: 0 or -errno (-EBUSY: retry). */
  ret: number;
  /** mmu_interval_read_retry() said the result was stale. */
  stale: boolean;
}

/**
 * The driver side of the protocol (Documentation/mm/hmm.rst, lib/test_hmm.c
 * dmirror_range_fault, ib_umem_odp_map_dma_and_lock): read_begin ->
 * hmm_range_fault under the mmap read lock -> -EBUSY retries until
 * HMM_RANGE_DEFAULT_TIMEOUT passes on the virtual clock -> take the driver
 * lock -> mmu_interval_read_retry (stale: start over) -> `commit` programs
 * the device from the slots. Returns the last hmm_range_fault result (0
 * after a commit) and every try.
 */
export function mirrorRangeFault(
  range: HmmRange,
  commit: (range: HmmRange) => void,
  timeoutMs = HMM_RANGE_DEFAULT_TIMEOUT,
): { ret: number; tries: MirrorTry[] } {
  const clock = range.notifier.mm.machine.clock;
  const deadline = clock.ns + timeoutMs * 1e6;
  const tries: MirrorTry[] = [];
  const request = range.hmmPfns.slice();
  for (;;) {
    range.hmmPfns.set(request);
    range.notifierSeq = mmuIntervalReadBegin(range.notifier);
    const ret = hmmRangeFault(range);
    const t: MirrorTry = { seq: range.notifierSeq, ret, stale: false };
    tries.push(t);
    if (ret === -EBUSY) {
      if (clock.ns > deadline || tries.length > 64) return { ret, tries };
      continue;
    }
    if (ret !== 0) return { ret, tries };
    // mutex_lock(driver lock)
    if (mmuIntervalReadRetry(range.notifier, range.notifierSeq)) {
      t.stale = true;
      continue;
    }
    commit(range);
    return { ret: 0, tries };
  }
}

/** One VMA's verdict from the trial call. */
export interface TrialVerdict {
  /** Start of the VMA's part of the range. */
  start: number;
  /** End of the VMA's part of the range (exclusive). */
  end: number;
  /** 0, or the errno mirroring this part would end in. */
  err: number;
  /** Why, in words, for the REPL. */
  why: string;
}

/**
 * The 2019 thread's "trial" call, hmm_mirror_is_maybe_supported(dev,
 * user_ptr, len) [RFC, never merged; hmm.p2pMap=rfc-2019]: at MR creation,
 * tell why mirroring [start, start+len) would fail, VMA by VMA, without
 * faulting anything: a hole or an unreadable VMA -EFAULT (what
 * hmm_range_fault would say later), a special VMA without p2p_map
 * -EOPNOTSUPP, one whose exporter refuses the importer: the exporter's
 * errno (its p2p_map is asked for the range). Later failures (munmap,
 * mprotect...) are all the same -EFAULT, as Jérôme said.
 */
export function hmmMirrorIsMaybeSupported(
  mm: Mm,
  importer: unknown,
  start: number,
  len: number,
): { ret: number; verdicts: TrialVerdict[] } {
  const end = start + len;
  const verdicts: TrialVerdict[] = [];
  let addr = start;
  while (addr < end) {
    const vma = mm.vmas.find(addr);
    if (vma === null || vma.start > addr) {
      const to = vma === null ? end : Math.min(vma.start, end);
      verdicts.push({ start: addr, end: to, err: -EFAULT, why: "no VMA" });
      addr = to;
      continue;
    }
    const to = Math.min(vma.end, end);
    const ops = vma.ops as P2pVmOperations | null;
    let err = 0, why = "mirrorable";
    if (!(vma.flags & VM_READ)) [err, why] = [-EFAULT, "no VM_READ"];
    else if (vma.flags & (VM_IO | VM_PFNMAP)) {
      if (ops?.p2pMap === undefined) [err, why] = [-EOPNOTSUPP, "special VMA without p2p_map"];
      else {
        const r = ops.p2pMap(vma, importer, addr, to, false);
        [err, why] = typeof r === "number" ? [r, "p2p_map refused"] : [0, "p2p_map: bus addresses"];
      }
    }
    verdicts.push({ start: addr, end: to, err, why });
    addr = to;
  }
  const bad = verdicts.find((v) => v.err !== 0);
  return { ret: bad?.err ?? 0, verdicts };
}
