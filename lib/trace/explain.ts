/**
 * `explain ADDR [r|w|x]`: what an access by a process would do and why,
 * without doing it. A dry run of the x86 fault entry
 * (arch/x86/mm/fault.c do_user_addr_fault) and of mm/memory.c
 * handle_pte_fault(): it reads the VMA, the PTE, the frame and the
 * userfaultfd registration, asks the same decision functions the real path
 * asks (accessError, readMapsZeroPage, uffdMissingEngages, wpCanReuse,
 * shmemUserfaultMode, and a driver's own vm_ops->predictFault: the
 * decision its ->fault acts on, for vfio-pci BARs, RDMA uverbs mappings,
 * the GPU aperture, DAX), and changes nothing. tests/trace/explain_test.ts
 * and explain_devices_test.ts check the prediction against the access
 * itself on random workloads.
 *
 * Preconditions: `p` is alive. Nothing here allocates, maps or counts.
 * @module
 */

import {
  BUS_ADRERR,
  SEGV_ACCERR,
  SEGV_MAPERR,
  siCodeName,
  SIGBUS,
  signalName,
  SIGSEGV,
} from "../abi/signal.ts";
import { TASK_SIZE } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import { accessError, type AccessKind, hwpoisonSigbusCode } from "../mm/access.ts";
import {
  MARKER_GUARD,
  MARKER_HWPOISON,
  MARKER_POISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
} from "../mm/pagetable.ts";
import { readMapsZeroPage, uffdMissingEngages, wpCanReuse } from "../mm/fault.ts";
import { userfaultfdPteWp, userfaultfdWp, userfaultfdWpAsync } from "../mm/userfaultfd_k.ts";
import {
  has,
  VM_GROWSDOWN,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_USERFAULT,
  VM_WRITE,
  vmFlagsText,
} from "../mm/vm_flags.ts";
import { vmaPerms } from "../mm/trace_text.ts";
import type { UffdContextRef, Vma } from "../mm/vma.ts";
import type { FaultPrediction, VmFault } from "../mm/vm_ops.ts";
import { daxPredictor } from "./explain_dax.ts";
import { SHMEM_VM_OPS, shmemUserfaultMode } from "../mm/shmem.ts";
import { GENERIC_FILE_VM_OPS } from "../mm/filemap.ts";
import { uffdDisableFaultAround, WCHAN_USERFAULT } from "../mm/userfaultfd_k.ts";
import { PG_ANON_EXCLUSIVE, PG_HWPOISON } from "../phys/frames.ts";

/** UFFD_FEATURE_SIGBUS (1 << 7): handle_userfault() answers VM_FAULT_SIGBUS instead of waiting. */
const UFFD_FEATURE_SIGBUS_BIT = 1n << 7n;

/**
 * The outcome classes of an access:
 * - `hit`: the PTE allows it, no fault (the MMU sets accessed/dirty);
 * - `zero-page`, `new-page`: do_anonymous_page maps the zero page or a new one;
 * - `cow-copy`, `cow-reuse`, `wp-shared`: do_wp_page's three ways;
 * - `file-fault`: do_read/cow/shared_fault through the file's vm_ops;
 * - `driver-fault`: a driver's vm_ops->fault decides (VM_PFNMAP/VM_MIXEDMAP);
 * - `numa`: a PROT_NONE PTE in an accessible VMA is restored;
 * - `stack-grow`: expand_stack, then a fault in the grown stack;
 * - `userfault`: handle_userfault (the thread waits, or SIGBUS with UFFD_FEATURE_SIGBUS);
 * - `segv`, `sigbus`: the signal in `signal`.
 */
export type ExplainOutcome =
  | "hit"
  | "zero-page"
  | "new-page"
  | "cow-copy"
  | "cow-reuse"
  | "wp-shared"
  | "file-fault"
  | "driver-fault"
  | "numa"
  | "stack-grow"
  | "userfault"
  | "segv"
  | "sigbus";

/**
 * A present PTE whose pfn is past RAM: the physical address, who decodes it
 * (`0000:05:00.0 BAR0+0x2000 (present, Mem+)`, or no one) and whether it
 * answers now (PciDev.decodesMemory); an unclaimed access follows
 * hw.mmioUnclaimed.
 */
export interface DeviceMmio {
  /** The pfn, past RAM. */
  pfn: number;
  /** No struct page: a device's registers or memory. */
  kind: "device-mmio";
  /** The physical address accessed. */
  phys: number;
  /** Who decodes it. */
  target: string;
  /** Whether a function answers now. */
  claimed: boolean;
}

/** What `explain` finds and predicts (keys in a fixed order for --json). */
export interface Explanation {
  /** The address asked about. */
  addr: number;
  /** The access explained: read, write or exec. */
  access: AccessKind;
  /** The VMA covering `addr`, as /proc/pid/maps and smaps show it; null if none. */
  vma: {
    start: number;
    end: number;
    perms: string;
    vmFlags: string[];
    file: string | null;
  } | null;
  /** The PTE mapping `addr`; null if no page table reaches it. */
  pte: {
    present: boolean;
    write: boolean;
    dirty: boolean;
    special: boolean;
    uffdWp: boolean;
    protnone: boolean;
    marker: string | null;
    pfn: number | null;
  } | null;
  /** The frame the PTE maps; null if none. */
  frame:
    | {
      pfn: number;
      kind: string;
      refcount: number;
      mapcount: number;
      pins: number;
      anonExclusive: boolean;
      hwpoison: boolean;
    }
    | DeviceMmio
    | null;
  /** The userfaultfd registered on the VMA; null if none. */
  userfault: {
    ctx: number;
    modes: string[];
    features: string;
    /** Threads already waiting in handle_userfault on this context (their tids). */
    waiting: number[];
  } | null;

  /** The policy knobs consulted on this path, `knob=value`. */
  policies: string[];
  /** What the access would end in: a mapped page, a fault path, or a signal. */
  outcome: ExplainOutcome;
  /** The kernel path the access would take, one step per entry. */
  path: string[];
  /** The signal the access would raise (si_code by name, si_addr). */
  signal: { signo: number; name: string; code: string; addr: number } | null;
  /** What the driver's (or filesystem's) ->fault would do, by its own decision function. */
  driver: { fn: string; result: string; pfn: number; ptes: number; why: string } | null;
  /** The thread that would wait in handle_userfault (outcome `userfault`). */
  wait: { tid: number; ctx: number } | null;
  /**
   * The pfn the access then uses: a number, `new` for a page the fault
   * allocates (a copy, a fresh page, a dummy page's first use), or null
   * (a signal, a wait, a stack to grow first).
   */
  maps: number | "new" | null;
}

/** Dry-runs an access of `kind` by `p` at `addr` (a user address). Changes nothing. */
export function explainAccess(p: Process, addr: number, kind: AccessKind): Explanation {
  const mm = p.mm;
  const m = p.machine;
  const frames = m.frames;
  const path: string[] = [];
  const policies: string[] = [];
  const e: Explanation = {
    addr,
    access: kind,
    vma: null,
    pte: null,
    frame: null,
    userfault: null,
    policies,
    outcome: "hit",
    path,
    signal: null,
    driver: null,
    wait: null,
    maps: null,
  };
  const sig = (signo: number, code: number): Explanation => {
    e.outcome = signo === SIGSEGV ? "segv" : "sigbus";
    e.maps = null;
    e.signal = { signo, name: signalName(signo), code: siCodeName(signo, code), addr };
    return e;
  };
  const knob = (name: Parameters<typeof m.policy>[0]) => addPolicy(`${name}=${m.policy(name)}`);
  const addPolicy = (s: string) => {
    if (!policies.includes(s)) policies.push(s);
  };
  // handle_userfault() for a user access: UFFD_FEATURE_SIGBUS, else the thread waits.
  const userfault = (ctx: UffdContextRef, how: string): Explanation => {
    if (((ctx.features ?? 0n) & UFFD_FEATURE_SIGBUS_BIT) !== 0n) {
      path.push(`${how} → handle_userfault: UFFD_FEATURE_SIGBUS: VM_FAULT_SIGBUS`);
      return sig(SIGBUS, BUS_ADRERR);
    }
    const t = m.currentOf(p);
    path.push(
      `${how} → handle_userfault: a uffd_msg is queued on ctx ${ctx.id}, thread ${t.tid} ` +
        `(${t.group.comm}) waits (wchan ${WCHAN_USERFAULT}) for UFFDIO_COPY/ZEROPAGE/` +
        `CONTINUE/WAKE`,
    );
    e.wait = { tid: t.tid, ctx: ctx.id };
    e.outcome = "userfault";
    e.maps = null;
    return e;
  };
  if (addr < 0 || addr >= TASK_SIZE) {
    path.push("do_user_addr_fault → bad_area_nosemaphore: not a user address");
    return sig(SIGSEGV, SEGV_MAPERR);
  }
  const vpn = Math.floor(addr / 4096);
  const found = mm.vmas.find(addr);
  const vma = found !== null && found.start <= addr ? found : null;
  if (vma !== null) describeVma(e, vma);
  // The PTE as the MMU sees it (no table is created).
  const t = mm.pt.table(vpn, false);
  const bits = t === undefined ? 0 : t.bits[vpn & 511];
  const pfn = t === undefined ? -1 : t.pfn[vpn & 511];
  if (bits !== 0) {
    e.pte = {
      present: (bits & PTE_PRESENT) !== 0,
      write: (bits & PTE_WRITE) !== 0,
      dirty: (bits & PTE_DIRTY) !== 0,
      special: (bits & PTE_SPECIAL) !== 0,
      uffdWp: (bits & PTE_UFFD_WP) !== 0,
      protnone: (bits & PTE_PROTNONE) !== 0,
      marker: bits & PTE_MARKER ? markerName(pfn) : null,
      pfn: bits & PTE_PRESENT ? pfn : null,
    };
    if (bits & PTE_PRESENT) {
      if (pfn >= frames.nframes) e.frame = mmioTarget(p, pfn, addr);
      else {
        e.frame = {
          pfn,
          kind: frames.kind(pfn),
          refcount: frames.refcount[pfn],
          mapcount: frames.mapcount[pfn],
          pins: frames.pincount[pfn],
          anonExclusive: (frames.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0,
          hwpoison: (frames.flags[pfn] & PG_HWPOISON) !== 0,
        };
      }
    }
  }
  // The MMU walk (access.ts translate): a present PTE that allows the access.
  const need = kind === "write" ? PTE_PRESENT | PTE_WRITE : PTE_PRESENT;
  if ((bits & (need | PTE_PROTNONE)) === need) {
    path.push("MMU: the PTE allows the access, no fault (accessed/dirty bits set)");
    // cpuExec checks NX through the VMA after the walk.
    if (kind === "exec" && (vma === null || accessError(vma, "exec"))) {
      path.push("the VMA is not VM_EXEC: SIGSEGV SEGV_ACCERR");
      return sig(SIGSEGV, SEGV_ACCERR);
    }
    if (e.frame !== null && "claimed" in e.frame) mmioPath(e, e.frame, knob);
    if (e.frame !== null && "hwpoison" in e.frame && e.frame.hwpoison) {
      path.push(
        "the frame is PG_hwpoison but still mapped (memory_failure could not unmap it): " +
          "mmlab lets the access read it; a real CPU consuming the poison takes a machine check",
      );
    }
    e.outcome = "hit";
    e.maps = pfn;
    return e;
  }
  // do_user_addr_fault()
  if (found === null) {
    path.push("do_user_addr_fault → lock_mm_and_find_vma: no VMA at or above the address");
    return sig(SIGSEGV, SEGV_MAPERR);
  }
  if (vma === null) {
    if (!(found.flags & VM_GROWSDOWN)) {
      path.push("do_user_addr_fault → lock_mm_and_find_vma: the address is in a hole");
      return sig(SIGSEGV, SEGV_MAPERR);
    }
    path.push(
      "do_user_addr_fault → expand_stack: the VM_GROWSDOWN VMA above grows down (if the " +
        "stack rlimit and the guard gap allow; else SIGSEGV SEGV_MAPERR)",
    );
    e.outcome = "stack-grow";
    return e;
  }
  if (accessError(vma, kind)) {
    path.push(`do_user_addr_fault → access_error: the VMA does not allow ${kind}`);
    return sig(SIGSEGV, SEGV_ACCERR);
  }
  path.push(`do_user_addr_fault → handle_mm_fault → handle_pte_fault`);
  if (bits & PTE_PRESENT) {
    if (bits & PTE_PROTNONE) {
      path.push("do_numa_page: PROT_NONE PTE in an accessible VMA: restored, then retried");
      e.outcome = "numa";
      e.maps = pfn;
      return e;
    }
    // A write to a write-protected PTE: do_wp_page().
    if (userfaultfdPteWp(vma, bits)) {
      if (!userfaultfdWpAsync(vma)) return userfault(vma.uffd!, "do_wp_page (VM_UFFD_WP)");
      path.push("do_wp_page: UFFD_FEATURE_WP_ASYNC clears the uffd-wp bit");
    }
    // wp_pfn_shared(): a special PTE (a DAX hole's zero page) asks ->pfn_mkwrite.
    const mkwrite = vma.ops?.pfnMkwrite !== undefined ? daxPredictor(vma) : null;
    if ((vma.flags & VM_SHARED) && (bits & PTE_SPECIAL) && mkwrite !== null) {
      return predicted(e, p, vma, mkwrite, kind, "do_wp_page → wp_pfn_shared → pfn_mkwrite", false);
    }
    if (vma.flags & VM_SHARED) {
      path.push("do_wp_page → wp_page_shared: PTE made writable and dirty");
      e.outcome = "wp-shared";
      e.maps = pfn;
      return e;
    }
    if (wpCanReuse(frames, pfn, bits)) {
      path.push("do_wp_page → wp_page_reuse: the anonymous page is exclusive (or refcount 1)");
      e.outcome = "cow-reuse";
      e.maps = pfn;
      return e;
    }
    path.push(
      `do_wp_page → wp_page_copy: ${
        pfn === frames.zeroPfn ? "the zero page: a new zeroed page" : "COW: a private copy"
      }`,
    );
    e.outcome = "cow-copy";
    e.maps = "new";
    return e;
  }
  if (bits & PTE_MARKER) {
    const mk = pfn;
    if (mk === MARKER_GUARD) {
      path.push("handle_pte_marker: PTE_MARKER_GUARD (MADV_GUARD_INSTALL): VM_FAULT_SIGSEGV");
      return sig(SIGSEGV, SEGV_MAPERR);
    }
    if (mk === MARKER_POISON || mk === MARKER_HWPOISON) {
      knob("config.MEMORY_FAILURE");
      path.push("handle_pte_marker: poisoned: VM_FAULT_HWPOISON → do_sigbus");
      return sig(SIGBUS, hwpoisonSigbusCode(mm));
    }
  }
  // do_pte_missing(). A PTE_MARKER_UFFD_WP gives the new PTE the uffd-wp bit
  // (set_pte_range / do_anonymous_page: vmf_orig_pte_uffd_wp), so a write then
  // faults again on it: handle_userfault(VM_UFFD_WP), unless UFFD_FEATURE_WP_ASYNC.
  const wpMarker = kind === "write" && (bits & PTE_MARKER) !== 0 &&
    (bits & PTE_UFFD_WP) !== 0 && userfaultfdWp(vma) && !userfaultfdWpAsync(vma);
  const missing = (): Explanation => {
    if (vma.isAnonymous) {
      knob("uffd.rfcDesign");
      if (uffdMissingEngages(mm, vma) && vma.uffd !== null && has(vma.flags, VM_UFFD_MISSING)) {
        return userfault(vma.uffd, "do_anonymous_page (VM_UFFD_MISSING)");
      }
      if (has(vma.flags, VM_USERFAULT)) {
        path.push("handle_userfault: VM_USERFAULT and no userfaultfd: VM_FAULT_SIGBUS");
        return sig(SIGBUS, BUS_ADRERR);
      }
      knob("mm.zeroPage");
      if (kind !== "write" && readMapsZeroPage(mm)) {
        path.push("do_anonymous_page → set_pte_at: a read maps the shared zero page read-only");
        e.outcome = "zero-page";
        e.maps = frames.zeroPfn;
        return e;
      }
      path.push(
        `do_anonymous_page → set_pte_at: a new zeroed page${
          vma.flags & VM_WRITE ? ", writable and dirty" : ""
        } (${frames.freeCount} pages free; none left runs the OOM killer)`,
      );
      e.outcome = "new-page";
      e.maps = "new";
      return e;
    }
    const ops = vma.ops;
    const how = kind !== "write"
      ? "do_read_fault"
      : vma.flags & VM_SHARED
      ? "do_shared_fault"
      : "do_cow_fault";
    const index = vma.pageIndex(addr - (addr % 4096));
    // A driver's (or filesystem's) own decision: what its ->fault would do.
    const predict = ops?.predictFault ?? daxPredictor(vma);
    if (ops !== null && predict !== null) {
      const via = `do_fault → ${how} → __do_fault`;
      return predicted(e, p, vma, predict, kind, via, ops.fault === undefined);
    }
    if (ops === null || ops.fault === undefined) {
      path.push("do_fault: the vm_ops have no ->fault: VM_FAULT_SIGBUS");
      return sig(SIGBUS, BUS_ADRERR);
    }
    if (vma.flags & (VM_PFNMAP | VM_MIXEDMAP)) {
      path.push(
        "do_fault → __do_fault → vm_ops->fault of the driver: it inserts a pfn (vmf_insert_pfn) " +
          "or refuses with VM_FAULT_SIGBUS",
      );
      e.outcome = "driver-fault";
      return e;
    }
    const inode = vma.file?.inode;
    const cached = inode?.pages.get(index);
    if (ops === SHMEM_VM_OPS && inode !== undefined) {
      // shmem_fault(): past i_size SIGBUS; a uffd MISSING miss or MINOR hit.
      if (index >= inode.sizePages) {
        path.push(`do_fault → ${how} → shmem_fault: page ${index} is past i_size: VM_FAULT_SIGBUS`);
        return sig(SIGBUS, BUS_ADRERR);
      }
      const mode = shmemUserfaultMode(vma, index);
      const around = kind !== "write" && cached !== undefined && !uffdDisableFaultAround(vma);
      if (mode !== null && vma.uffd !== null && !around) {
        return userfault(
          vma.uffd,
          `do_fault → ${how} → shmem_fault (VM_UFFD_${mode === "missing" ? "MISSING" : "MINOR"})`,
        );
      }
    }
    // filemap_fault(): past i_size is VM_FAULT_SIGBUS.
    if (ops === GENERIC_FILE_VM_OPS && inode !== undefined && index >= inode.sizePages) {
      path.push(
        `do_fault → ${how} → filemap_fault: page ${index} is past i_size ${inode.size}: ` +
          "VM_FAULT_SIGBUS",
      );
      return sig(SIGBUS, BUS_ADRERR);
    }
    path.push(
      `do_fault → ${how} → __do_fault: page ${index} of the file ${
        cached !== undefined
          ? `is in the page cache (pfn 0x${cached.toString(16)})`
          : "is read in (or past EOF: SIGBUS)"
      }${how === "do_cow_fault" ? ", then a private copy" : ""}`,
    );
    e.outcome = "file-fault";
    e.maps = how === "do_cow_fault" || cached === undefined ? "new" : cached;
    return e;
  };
  missing();
  if (wpMarker && e.signal === null && e.outcome !== "userfault") {
    return userfault(
      vma.uffd!,
      "the new PTE keeps the uffd-wp marker's bit → do_wp_page (VM_UFFD_WP)",
    );
  }
  return e;
}

/**
 * The rest of an explanation from a ->fault's (or ->pfn_mkwrite's)
 * prediction: the signal, the wait, or the pfn mapped.
 */
function predicted(
  e: Explanation,
  p: Process,
  vma: Vma,
  predict: (vmf: VmFault) => FaultPrediction,
  kind: AccessKind,
  via: string,
  noFault: boolean,
): Explanation {
  const addr = e.addr;
  const m = p.machine;
  const vmf: VmFault = {
    vma,
    address: addr - (addr % 4096),
    realAddress: addr,
    pgoff: vma.pageIndex(addr - (addr % 4096)),
    write: kind === "write",
    tried: false,
    page: -1,
  };
  const d = predict(vmf);
  for (const k of d.policies) if (!e.policies.includes(k)) e.policies.push(k);
  e.driver = { fn: d.fn, result: d.result, pfn: d.pfn, ptes: d.ptes, why: d.why };
  e.path.push(`${noFault ? "do_fault" : `${via} → ${d.fn}`}: ${d.why}`);
  const signal = (signo: number, code: number) => {
    e.outcome = signo === SIGSEGV ? "segv" : "sigbus";
    e.signal = { signo, name: signalName(signo), code: siCodeName(signo, code), addr };
    e.maps = null;
    return e;
  };
  if (d.result === "sigbus") return signal(SIGBUS, BUS_ADRERR);
  if (d.result === "sigsegv") return signal(SIGSEGV, SEGV_MAPERR);
  if (d.result === "hwpoison") {
    // Shown, not decided here (access.ts hwpoisonSigbusCode maps its values).
    const shown = "config.MEMORY_FAILURE";
    const k = `${shown}=${m.policy(shown)}`;
    if (!e.policies.includes(k)) e.policies.push(k);
    return signal(SIGBUS, hwpoisonSigbusCode(vma.mm));
  }
  e.outcome = "driver-fault";
  // The core copies a page the handler returned into a private COW mapping.
  const cow = kind === "write" && !(vma.flags & VM_SHARED) && !(vma.flags & VM_PFNMAP);
  e.maps = cow || d.pfn < 0 ? "new" : d.pfn;
  if (d.pfn >= m.frames.nframes) {
    mmioPath(e, mmioTarget(p, d.pfn, addr), (k) => {
      const s = `${k}=${m.policy(k)}`;
      if (!e.policies.includes(s)) e.policies.push(s);
    });
  }
  return e;
}

/** The register model device pfn `pfn` reaches at `addr`'s offset, and whether it answers now. */
function mmioTarget(p: Process, pfn: number, addr: number): DeviceMmio {
  const m = p.machine;
  const phys = pfn * 4096 + (addr % 4096);
  const at = (target: string, claimed: boolean): DeviceMmio => ({
    pfn,
    kind: "device-mmio",
    phys,
    target,
    claimed,
  });
  const io = m.iomem.mmioAt(phys);
  if (io === null) return at("device memory with no register model (plain bytes)", true);
  for (const d of m.pci.devices) {
    for (const b of d.bars) {
      if (b?.res?.mmio === io.ops) {
        return at(
          `${d.bdf} BAR${b.index}+0x${io.off.toString(16)} (${d.state}, ${
            d.decodesMemory() ? "Mem+" : "Mem-"
          })`,
          d.decodesMemory(),
        );
      }
    }
  }
  return at("a bus window no BAR claims", false);
}

/** The path line of an access that reaches a device's registers. */
function mmioPath(e: Explanation, io: DeviceMmio, knob: (k: "hw.mmioUnclaimed") => void): void {
  if (io.claimed) {
    e.path.push(`the access reaches ${io.target}: its register model answers`);
    return;
  }
  knob("hw.mmioUnclaimed");
  e.path.push(
    `${io.target}: no one claims it (Unsupported Request): hw.mmioUnclaimed decides ` +
      "(all-ones: reads ~0, writes dropped; host-fatal: a fatal platform error)",
  );
}

function describeVma(e: Explanation, v: Vma): void {
  e.vma = {
    start: v.start,
    end: v.end,
    perms: vmaPerms(v.flags),
    vmFlags: vmFlagsText(v.flags).trim().split(" ").filter((s) => s !== ""),
    file: v.file?.inode.path ?? null,
  };
  if (v.uffd !== null) {
    const modes: string[] = [];
    if (has(v.flags, VM_UFFD_MISSING)) modes.push("MISSING");
    if (has(v.flags, VM_UFFD_WP)) modes.push("WP");
    if (has(v.flags, VM_UFFD_MINOR)) modes.push("MINOR");
    // Threads asleep in handle_userfault on this context (fault_wqh).
    const waiting: number[] = [];
    for (const t of v.mm.machine.tasks.values()) {
      if (t.alive && t.userfault?.ctx === v.uffd) waiting.push(t.tid);
    }
    e.userfault = {
      ctx: v.uffd.id,
      modes,
      features: "0x" + (v.uffd.features ?? 0n).toString(16),
      waiting,
    };
  }
}

function markerName(kind: number): string {
  if (kind === MARKER_GUARD) return "guard";
  if (kind === MARKER_POISON) return "poison";
  if (kind === MARKER_HWPOISON) return "hwpoison";
  return "uffd-wp";
}

/** The explanation as text lines, for the REPL. */
export function renderExplanation(e: Explanation): string[] {
  const hex = (n: number) => "0x" + n.toString(16);
  const out: string[] = [`${e.access} at ${hex(e.addr)}:`];
  out.push(
    e.vma === null
      ? "  vma:      none"
      : `  vma:      ${e.vma.start.toString(16)}-${e.vma.end.toString(16)} ${e.vma.perms}${
        e.vma.file !== null ? " " + e.vma.file : ""
      } VmFlags: ${e.vma.vmFlags.join(" ")}`,
  );
  if (e.pte === null) out.push("  pte:      none");
  else {
    const f = e.pte;
    const bits = [
      f.present ? "present" : "not-present",
      f.write ? "write" : "",
      f.dirty ? "dirty" : "",
      f.special ? "special" : "",
      f.uffdWp ? "uffd-wp" : "",
      f.protnone ? "protnone" : "",
      f.marker !== null ? `marker=${f.marker}` : "",
    ].filter((s) => s !== "");
    out.push(`  pte:      ${bits.join(" ")}${f.pfn !== null ? ` pfn ${hex(f.pfn)}` : ""}`);
  }
  if (e.frame !== null) {
    const f = e.frame;
    out.push(
      "refcount" in f
        ? `  frame:    pfn ${
          hex(f.pfn)
        } ${f.kind} refcount ${f.refcount} mapcount ${f.mapcount} pins ${f.pins}${
          f.anonExclusive ? " anon-exclusive" : ""
        }${f.hwpoison ? " hwpoison" : ""}`
        : `  frame:    pfn ${hex(f.pfn)} device MMIO (no struct page)`,
    );
    if ("claimed" in f) {
      out.push(`  mmio:     ${hex(f.phys)} ${f.target}${f.claimed ? "" : " unclaimed"}`);
    }
  }
  if (e.userfault !== null) {
    const w = e.userfault.waiting;
    out.push(
      `  uffd:     ctx ${e.userfault.ctx} ${
        e.userfault.modes.join("|") || "-"
      } features ${e.userfault.features}${
        w.length > 0 ? ` (thread${w.length > 1 ? "s" : ""} ${w.join(" ")} waiting)` : ""
      }`,
    );
  }
  if (e.driver !== null) {
    const d = e.driver;
    out.push(
      `  driver:   ${d.fn} → ${d.result}${
        d.result !== "map" ? "" : d.pfn >= 0 ? ` pfn ${hex(d.pfn)}` : " a new page"
      }${d.ptes > 1 ? ` (${d.ptes} PTEs)` : ""}`,
    );
  }
  if (e.policies.length > 0) out.push(`  policy:   ${e.policies.join(" ")}`);
  for (const s of e.path) out.push(`  path:     ${s}`);
  out.push(
    `  outcome:  ${e.outcome}${
      e.signal !== null ? ` (${e.signal.name} ${e.signal.code} si_addr=${hex(e.signal.addr)})` : ""
    }`,
  );
  return out;
}
