/**
 * `explain ADDR [r|w|x]`: what an access by a process would do and why,
 * without doing it. A dry run of the x86 fault entry
 * (arch/x86/mm/fault.c do_user_addr_fault) and of mm/memory.c
 * handle_pte_fault(): it reads the VMA, the PTE, the frame and the
 * userfaultfd registration, asks the same decision functions the real path
 * asks (accessError, readMapsZeroPage, uffdMissingEngages, wpCanReuse), and
 * changes nothing. tests/trace/explain_test.ts checks the prediction
 * against the access itself on random workloads.
 *
 * Preconditions: `p` is alive. Nothing here allocates, maps or counts.
 * @module
 */

import { BUS_ADRERR, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGSEGV } from "../abi/signal.ts";
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
import { userfaultfdPteWp, userfaultfdWpAsync } from "../mm/userfaultfd_k.ts";
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
import type { Vma } from "../mm/vma.ts";
import { PG_ANON_EXCLUSIVE } from "../phys/frames.ts";

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
    }
    | { pfn: number; kind: "device-mmio" }
    | null;
  /** The userfaultfd registered on the VMA; null if none. */
  userfault: { ctx: number; modes: string[]; features: string } | null;
  /** The policy knobs consulted on this path, `knob=value`. */
  policies: string[];
  /** What the access would end in: a mapped page, a fault path, or a signal. */
  outcome: ExplainOutcome;
  /** The kernel path the access would take, one step per entry. */
  path: string[];
  /** The signal the access would raise (si_code by name, si_addr). */
  signal: { signo: number; name: string; code: string; addr: number } | null;
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
  };
  const sig = (signo: number, code: number): Explanation => {
    e.outcome = signo === SIGSEGV ? "segv" : "sigbus";
    e.signal = {
      signo,
      name: signo === SIGSEGV ? "SIGSEGV" : "SIGBUS",
      code: signo === SIGSEGV
        ? (code === SEGV_MAPERR ? "SEGV_MAPERR" : "SEGV_ACCERR")
        : (code === BUS_ADRERR ? "BUS_ADRERR" : "BUS_MCEERR_AR"),
      addr,
    };
    return e;
  };
  const knob = (name: Parameters<typeof m.policy>[0]) => {
    const s = `${name}=${m.policy(name)}`;
    if (!policies.includes(s)) policies.push(s);
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
      if (pfn >= frames.nframes) e.frame = { pfn, kind: "device-mmio" };
      else {
        e.frame = {
          pfn,
          kind: frames.kind(pfn),
          refcount: frames.refcount[pfn],
          mapcount: frames.mapcount[pfn],
          pins: frames.pincount[pfn],
          anonExclusive: (frames.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0,
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
    if (pfn >= frames.nframes) {
      knob("hw.mmioUnclaimed");
      path.push(
        "the pfn is device memory: the access goes to the BAR's registers if its function " +
          "decodes memory (PCI_COMMAND_MEMORY, bridges forwarding), else no one claims it",
      );
    }
    e.outcome = "hit";
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
      return e;
    }
    // A write to a write-protected PTE: do_wp_page().
    if (userfaultfdPteWp(vma, bits)) {
      if (!userfaultfdWpAsync(vma)) {
        path.push(
          "do_wp_page → handle_userfault(VM_UFFD_WP): the thread waits for UFFDIO_WRITEPROTECT",
        );
        e.outcome = "userfault";
        return e;
      }
      path.push("do_wp_page: UFFD_FEATURE_WP_ASYNC clears the uffd-wp bit");
    }
    if (vma.flags & VM_SHARED) {
      path.push("do_wp_page → wp_page_shared: PTE made writable and dirty");
      e.outcome = "wp-shared";
      return e;
    }
    if (wpCanReuse(frames, pfn, bits)) {
      path.push("do_wp_page → wp_page_reuse: the anonymous page is exclusive (or refcount 1)");
      e.outcome = "cow-reuse";
      return e;
    }
    path.push(
      `do_wp_page → wp_page_copy: ${
        pfn === frames.zeroPfn ? "the zero page: a new zeroed page" : "COW: a private copy"
      }`,
    );
    e.outcome = "cow-copy";
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
  // do_pte_missing()
  if (vma.isAnonymous) {
    knob("uffd.rfcDesign");
    if (uffdMissingEngages(mm, vma) && vma.uffd !== null && has(vma.flags, VM_UFFD_MISSING)) {
      const sigbus = ((vma.uffd.features ?? 0n) & (1n << 7n)) !== 0n;
      path.push(
        `do_anonymous_page → handle_userfault(VM_UFFD_MISSING): ${
          sigbus ? "UFFD_FEATURE_SIGBUS: VM_FAULT_SIGBUS" : "a uffd_msg is queued, the thread waits"
        }`,
      );
      if (sigbus) return sig(SIGBUS, BUS_ADRERR);
      e.outcome = "userfault";
      return e;
    }
    if (has(vma.flags, VM_USERFAULT)) {
      path.push("handle_userfault: VM_USERFAULT and no userfaultfd: VM_FAULT_SIGBUS");
      return sig(SIGBUS, BUS_ADRERR);
    }
    knob("mm.zeroPage");
    if (kind !== "write" && readMapsZeroPage(mm)) {
      path.push("do_anonymous_page → set_pte_at: a read maps the shared zero page read-only");
      e.outcome = "zero-page";
      return e;
    }
    path.push(
      `do_anonymous_page → set_pte_at: a new zeroed page${
        vma.flags & VM_WRITE ? ", writable and dirty" : ""
      } (${frames.freeCount} pages free; none left runs the OOM killer)`,
    );
    e.outcome = "new-page";
    return e;
  }
  if (vma.ops === null || vma.ops.fault === undefined) {
    path.push("do_fault: the vm_ops have no ->fault: VM_FAULT_SIGBUS");
    return sig(SIGBUS, BUS_ADRERR);
  }
  if (vma.flags & (VM_PFNMAP | VM_MIXEDMAP)) {
    path.push(
      "do_fault → __do_fault → vm_ops->fault of the driver: it inserts a pfn (vmf_insert_pfn) " +
        "or refuses with VM_FAULT_SIGBUS (vfio: the device's PCI_COMMAND_MEMORY is off)",
    );
    e.outcome = "driver-fault";
    return e;
  }
  const how = kind !== "write"
    ? "do_read_fault"
    : vma.flags & VM_SHARED
    ? "do_shared_fault"
    : "do_cow_fault";
  const index = vma.pageIndex(addr - (addr % 4096));
  const inode = vma.file?.inode;
  const cached = inode?.pages.get(index);
  path.push(
    `do_fault → ${how} → __do_fault: page ${index} of the file ${
      cached !== undefined ? "is in the page cache" : "is read in (or past EOF: SIGBUS)"
    }${how === "do_cow_fault" ? ", then a private copy" : ""}`,
  );
  e.outcome = "file-fault";
  return e;
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
    e.userfault = {
      ctx: v.uffd.id,
      modes,
      features: "0x" + (v.uffd.features ?? 0n).toString(16),
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
        }`
        : `  frame:    pfn ${hex(f.pfn)} device MMIO (no struct page)`,
    );
  }
  if (e.userfault !== null) {
    out.push(
      `  uffd:     ctx ${e.userfault.ctx} ${
        e.userfault.modes.join("|") || "-"
      } features ${e.userfault.features}`,
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
