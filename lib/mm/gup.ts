/**
 * Kernel references to user pages: mm/gup.c get_user_pages() and
 * pin_user_pages(). A driver (RDMA, vfio, O_DIRECT) asks for the pages
 * behind a user range; GUP checks each VMA (check_vma_flags), faults the
 * pages in with kernel-context semantics (a fault that would signal becomes
 * -EFAULT) under the mmap read lock, unshares pages a read-only pin must
 * not share, and takes a reference on each (try_grab_folio):
 *
 * ```
 *  FOLL_GET             refcount += 1                     put_page()
 *  FOLL_PIN (5.7+)      refcount += GUP_PIN_COUNTING_BIAS unpin_user_page()
 *                       (1024), nr_foll_pin_acquired += 1  (nr_foll_pin_released)
 *  FOLL_PIN (<= 5.6)    refcount += 1, as a get
 *  the zero page        FOLL_PIN takes nothing (6.5+)
 * ```
 *
 * mmlab keeps 4 KiB frames each with its own refcount, so the large-folio
 * rule (refcount + 1 and _pincount + 1 on the folio) is not modelled:
 * every pinned frame carries the bias, and `frames.pincount` counts the
 * pins a frame holds (exact where the kernel's small-folio test,
 * page_maybe_dma_pinned(), is a heuristic). Plain GUP references are
 * counted in `frames.gupGets`, so that `check` can account for every
 * reference (lib/check/invariants.ts).
 *
 * Policies: `gup.pinModel`, `gup.pinZeroPage`, `gup.longtermWriteFileShared`,
 * `gup.roLongtermInCow`.
 * @module
 */

import { EFAULT, EINVAL, ENOMEM, EOPNOTSUPP } from "../abi/errno.ts";
import type { KernelTrace } from "../trace/kernel_trace.ts";
import { errnoText, faultCodeText, hexAddr, pteText, vmaText } from "./trace_text.ts";
import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  VM_IO,
  VM_LOCKED,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./vm_flags.ts";
import { PTE_PRESENT, PTE_PROTNONE, PTE_SPECIAL, PTE_WRITE } from "./pagetable.ts";
import {
  type FrameTable,
  GUP_PIN_COUNTING_BIAS,
  PG_ANON,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PG_FILE,
} from "../phys/frames.ts";
import { handleMmFault, unshareAnonPage, unsharePage } from "./fault.ts";
import { markAccessed } from "./swap.ts";
import { withMmapReadLock } from "./mmap_lock.ts";
import {
  VM_FAULT_HWPOISON,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  vmOpsNeedsWritenotify,
} from "./vm_ops.ts";

/** include/linux/mm_types.h: the FOLL_* flags callers pass (today's enum). */
export const FOLL_WRITE = 1 << 0;
export const FOLL_GET = 1 << 1;
export const FOLL_DUMP = 1 << 2;
export const FOLL_FORCE = 1 << 3;
export const FOLL_NOWAIT = 1 << 4;
export const FOLL_NOFAULT = 1 << 5;
export const FOLL_HWPOISON = 1 << 6;
export const FOLL_ANON = 1 << 7;
export const FOLL_LONGTERM = 1 << 8;
export const FOLL_SPLIT_PMD = 1 << 9;
export const FOLL_PCI_P2PDMA = 1 << 10;
export const FOLL_INTERRUPTIBLE = 1 << 11;
export const FOLL_HONOR_NUMA_FAULT = 1 << 12;
/**
 * mm/internal.h: GUP-internal flags (is_valid_gup_args() refuses them from
 * callers). FOLL_TOUCH marks the page accessed (get_user_pages() sets it;
 * pin_user_pages() does not); FOLL_PIN is set by pin_user_pages*().
 */
export const FOLL_TOUCH = 1 << 16;
export const FOLL_PIN = 1 << 19;

/** The FOLL_* flags callers may pass, by name (`FOLL_WRITE|FOLL_LONGTERM`). */
export const FOLL_NAMES: readonly (readonly [string, number])[] = [
  ["FOLL_WRITE", FOLL_WRITE],
  ["FOLL_GET", FOLL_GET],
  ["FOLL_DUMP", FOLL_DUMP],
  ["FOLL_FORCE", FOLL_FORCE],
  ["FOLL_NOWAIT", FOLL_NOWAIT],
  ["FOLL_NOFAULT", FOLL_NOFAULT],
  ["FOLL_HWPOISON", FOLL_HWPOISON],
  ["FOLL_ANON", FOLL_ANON],
  ["FOLL_LONGTERM", FOLL_LONGTERM],
  ["FOLL_SPLIT_PMD", FOLL_SPLIT_PMD],
  ["FOLL_PCI_P2PDMA", FOLL_PCI_P2PDMA],
  ["FOLL_INTERRUPTIBLE", FOLL_INTERRUPTIBLE],
  ["FOLL_HONOR_NUMA_FAULT", FOLL_HONOR_NUMA_FAULT],
];

/** The reference GUP holds on a page it returned. */
export type GupRef = "pin" | "get" | "none";

/** One page GUP returned: where it was mapped and which frame. */
export interface GupPage {
  /** User virtual address of the page. */
  addr: number;
  /** Page frame number it resolved to. */
  pfn: number;
  /** A FOLL_PIN pin with the bias (what unpin must give back). */
  pinned: boolean;
  /**
   * What was taken: a biased pin, a plain reference (FOLL_GET, or FOLL_PIN
   * before 5.7), or nothing (the zero page under FOLL_PIN, 6.5+).
   */
  ref: GupRef;
}

/** The result: pages, or an errno when not a single page could be taken. */
export interface GupResult {
  /** Pages taken, in address order (possibly fewer than asked). */
  pages: GupPage[];
  /** 0, or the -errno when no page at all was taken. */
  err: number;
}

/** is_cow_mapping() */
function isCow(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * Policy `gup.pinModel`: FOLL_PIN takes the pin bias (5.7+), or a plain
 * reference like FOLL_GET (FOLL_PIN in 5.6, and get_user_pages before).
 */
const PIN_TAKES_BIAS: Record<KnobValue<"gup.pinModel">, boolean> = { get: false, pin: true };

/** Policy `gup.pinZeroPage`: try_grab_folio() skips the zero page for FOLL_PIN (6.5+). */
const ZERO_PAGE_PINNED: Record<KnobValue<"gup.pinZeroPage">, boolean> = {
  ref: true,
  skip: false,
};

/**
 * Policy `gup.longtermWriteFileShared`: writable_file_mapping_allowed()
 * refuses long-term writable pins of dirty-tracked shared files (6.5+).
 */
const LONGTERM_WRITE_FILE_REFUSED: Record<KnobValue<"gup.longtermWriteFileShared">, boolean> = {
  allow: false,
  efault: true,
};

/**
 * Policy `gup.roLongtermInCow`: gup_must_unshare() for read-only pins
 * (6.2+): an anonymous page that is not exclusive, or (FOLL_LONGTERM in a
 * COW mapping) the zero page or a page-cache page, is first replaced by
 * an exclusive anonymous copy (FAULT_FLAG_UNSHARE); before, the pin could
 * see a page a later CPU write COWs away from.
 */
const RO_PIN_UNSHARES: Record<KnobValue<"gup.roLongtermInCow">, boolean> = {
  unreliable: false,
  unshare: true,
};

/**
 * vma_is_fsdax(): a file of a DAX filesystem (lib/fs/dax.ts), not the
 * device-dax character device.
 */
function vmaIsFsdax(vma: Vma): boolean {
  const inode = vma.file?.inode;
  return inode !== undefined && !vma.isAnonymous && inode.dax && inode.kind !== "chardev";
}

/** Policy `dax.layoutLease`: an F_LAYOUT lease lets its holder pin fsdax long-term (RFC). */
const LAYOUT_LEASE_PINS: Record<KnobValue<"dax.layoutLease">, boolean> = {
  off: false,
  "rfc-2019": true,
};

/** Policy `gup.longtermFsdax`: FOLL_LONGTERM on fsdax refused (4.15+). */
const LONGTERM_FSDAX_REFUSED: Record<KnobValue<"gup.longtermFsdax">, boolean> = {
  allow: false,
  eopnotsupp: true,
};

/** `dax.truncateWithPin=odp-only`: only ODP (no pin) reaches fsdax. */
const ODP_ONLY_FSDAX: Record<KnobValue<"dax.truncateWithPin">, boolean> = {
  corrupt: false,
  block: false,
  "fail-etxtbsy": false,
  "notify-kill": false,
  redirect: false,
  "odp-only": true,
  "iommu-revoke": false,
};

/**
 * FOLL_LONGTERM on fsdax is refused under `dax.truncateWithPin=odp-only`;
 * else unless `gup.longtermFsdax` allows it, or
 * (the 2019 RFC, `dax.layoutLease=rfc-2019`) a process of this mm holds an
 * F_LAYOUT lease on the file. Returns the policy that refused, or null.
 */
function longtermFsdaxRefusal(vma: Vma): string | null {
  const m = vma.mm.machine;
  if (ODP_ONLY_FSDAX[m.policy("dax.truncateWithPin")]) return "dax.truncateWithPin=odp-only";
  if (!LONGTERM_FSDAX_REFUSED[m.policy("gup.longtermFsdax")]) return null;
  if (!LAYOUT_LEASE_PINS[m.policy("dax.layoutLease")]) return "gup.longtermFsdax=eopnotsupp";
  const leased = vma.file!.inode.leases.some((l) => l.layout && m.process(l.pid)?.mm === vma.mm);
  return leased ? null : "dax.layoutLease=rfc-2019";
}

/** Why check_vma_flags() refused: the errno, the check, the policy that decided (if one did). */
type VmaFlagsRefusal = readonly [err: number, why: string, policy?: string];

/**
 * mm/gup.c check_vma_flags(): -errno or 0, in the kernel's order:
 * VM_IO|VM_PFNMAP -EFAULT; FOLL_ANON on a non-anonymous VMA -EFAULT;
 * FOLL_LONGTERM on fsdax -EOPNOTSUPP; (secretmem -EFAULT: none here); then
 * for a write, writable_file_mapping_allowed() -EFAULT before the
 * VM_WRITE test (FOLL_FORCE only in a COW mapping); for a read, VM_READ
 * (or FOLL_FORCE with VM_MAYREAD).
 */
export function checkVmaFlags(
  vma: Vma,
  gup: number,
  gupPolicyWriteFile: KnobValue<"gup.longtermWriteFileShared">,
): number {
  const r = vmaFlagsRefusal(vma, gup, gupPolicyWriteFile);
  const tr = vma.mm.machine.trace;
  if (tr !== null) {
    tr.step(
      "__get_user_pages → check_vma_flags",
      r === null ? "allowed" : `${r[1]}: ${errnoText(r[0])}`,
      r === null ? { vma: vmaText(vma) } : {
        vma: vmaText(vma),
        errno: errnoText(r[0]),
        ...(r[2] === undefined ? {} : { policy: r[2] }),
      },
    );
  }
  return r === null ? 0 : r[0];
}

/** check_vma_flags()'s tests, in order: the first that refuses, or null. */
function vmaFlagsRefusal(
  vma: Vma,
  gup: number,
  gupPolicyWriteFile: KnobValue<"gup.longtermWriteFileShared">,
): VmaFlagsRefusal | null {
  const f = vma.flags;
  if (f & (VM_IO | VM_PFNMAP)) return [-EFAULT, "VM_IO|VM_PFNMAP: no struct pages"];
  if ((gup & FOLL_ANON) && !vma.isAnonymous) return [-EFAULT, "FOLL_ANON on a file mapping"];
  if ((gup & FOLL_LONGTERM) && vmaIsFsdax(vma)) {
    const policy = longtermFsdaxRefusal(vma);
    if (policy !== null) return [-EOPNOTSUPP, "FOLL_LONGTERM on fsdax (vma_is_fsdax)", policy];
  }
  if (gup & FOLL_WRITE) {
    // writable_file_mapping_allowed(): long-term pins of dirty-tracked files (6.5+).
    if (
      !vma.isAnonymous && LONGTERM_WRITE_FILE_REFUSED[gupPolicyWriteFile] &&
      (gup & (FOLL_PIN | FOLL_LONGTERM)) === (FOLL_PIN | FOLL_LONGTERM) &&
      (f & VM_SHARED) && vmOpsNeedsWritenotify(vma.ops) // vma_needs_dirty_tracking()
    ) {
      return [
        -EFAULT,
        "writable_file_mapping_allowed: a long-term write pin of a dirty-tracked shared file",
        "gup.longtermWriteFileShared=efault",
      ];
    }
    if (!(f & VM_WRITE)) {
      if (!(gup & FOLL_FORCE)) return [-EFAULT, "FOLL_WRITE on a VMA without VM_WRITE"];
      if (!isCow(f)) return [-EFAULT, "FOLL_FORCE write outside a COW mapping"];
    }
  } else if (!(f & VM_READ)) {
    if (!(gup & FOLL_FORCE)) return [-EFAULT, "a read of a VMA without VM_READ"];
    if (!(f & VM_MAYREAD)) return [-EFAULT, "FOLL_FORCE read without VM_MAYREAD"];
  }
  return null;
}

/** vm_fault_to_errno() */
function faultErrno(r: number): number {
  if (r & VM_FAULT_OOM) return -ENOMEM;
  if (r & (VM_FAULT_HWPOISON | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) return -EFAULT;
  return 0;
}

/**
 * mm/internal.h gup_must_unshare(): must this read-only pin first get an
 * exclusive anonymous copy of `pfn` (mapped in `vma`)?
 */
function mustUnshare(frames: FrameTable, vma: Vma, gup: number, pfn: number): boolean {
  if ((gup & (FOLL_WRITE | FOLL_PIN)) !== FOLL_PIN) return false;
  if (!(frames.flags[pfn] & PG_ANON)) {
    // The zero page or a page-cache page: only R/O long-term pins in a COW mapping.
    if (!(gup & FOLL_LONGTERM)) return false;
    return isCow(vma.flags);
  }
  return !(frames.flags[pfn] & PG_ANON_EXCLUSIVE);
}

/** follow_page_pte() said -EMLINK: the page is first unshared (FAULT_FLAG_UNSHARE). */
function traceUnshare(
  tr: KernelTrace,
  frames: FrameTable,
  pfn: number,
  anon: boolean,
  addr: number,
): void {
  tr.step(
    "__get_user_pages → follow_page_mask → follow_page_pte → gup_must_unshare",
    `${
      anon
        ? `anonymous pfn ${hexAddr(pfn)} not PageAnonExclusive`
        : pfn === frames.zeroPfn
        ? "the zero page in a COW mapping, FOLL_LONGTERM"
        : `page-cache pfn ${hexAddr(pfn)} in a COW mapping, FOLL_LONGTERM`
    }: -EMLINK`,
    { policy: "gup.roLongtermInCow=unshare", pfn },
  );
  tr.step(
    "__get_user_pages → faultin_page → handle_mm_fault → do_wp_page → wp_page_copy",
    `FAULT_FLAG_UNSHARE at ${hexAddr(addr)}: ${
      anon && frames.refcount[pfn] === 1
        ? "refcount 1: marked PageAnonExclusive, kept"
        : "an exclusive anonymous copy, mapped read-only"
    }`,
  );
}

/** include/linux/mm.h page_maybe_dma_pinned() (small folios: refcount >= 1024). */
export function pageMaybeDmaPinned(frames: FrameTable, pfn: number): boolean {
  return frames.maybeDmaPinned(pfn);
}

/**
 * mm/gup.c try_grab_folio(): takes GUP's reference on `pfn`. Returns what
 * was taken. `pin` is FOLL_PIN under the bias model.
 */
function tryGrab(mm: Mm, pfn: number, pin: boolean, zero: boolean): GupRef {
  const m = mm.machine;
  const frames = m.frames;
  const tr = m.trace;
  if (!pin) {
    // FOLL_GET (or FOLL_PIN before 5.7): folio_ref_inc, the zero page too.
    frames.refcount[pfn]++;
    if (!zero) frames.gupGets.set(pfn, (frames.gupGets.get(pfn) ?? 0) + 1);
    tr?.step(GRAB, `a plain reference: refcount ${frames.refcount[pfn]}`, { pfn });
    return "get";
  }
  if (zero && !ZERO_PAGE_PINNED[m.policy("gup.pinZeroPage")]) {
    tr?.step(GRAB, "the zero page: FOLL_PIN takes nothing", {
      pfn,
      policy: `gup.pinZeroPage=${m.policy("gup.pinZeroPage")}`,
    });
    return "none";
  }
  frames.refcount[pfn] += GUP_PIN_COUNTING_BIAS;
  frames.pincount[pfn]++;
  // node_stat_mod_folio(folio, NR_FOLL_PIN_ACQUIRED, refs)
  m.vmstat.follPinAcquired++;
  tr?.step(
    GRAB,
    `FOLL_PIN: refcount += GUP_PIN_COUNTING_BIAS (${GUP_PIN_COUNTING_BIAS}): ${
      frames.refcount[pfn]
    }, nr_foll_pin_acquired ${m.vmstat.follPinAcquired}`,
    { pfn },
  );
  return "pin";
}

/** The chain to try_grab_folio() from __get_user_pages(). */
const GRAB = "__get_user_pages → follow_page_mask → follow_page_pte → try_grab_folio";

/**
 * __get_user_pages(): takes `npages` pages from `start`, holding the mmap
 * read lock. Returns the pages taken; `err` is set only when the first
 * page already failed (the kernel returns a short count otherwise).
 * FOLL_PIN marks the mm MMF_HAS_PINNED before anything is taken
 * (mm_set_has_pinned_flag), so a failed pin still marks it.
 */
export function getUserPages(mm: Mm, start: number, npages: number, gup: number): GupResult {
  const tr = mm.machine.trace;
  if (tr === null) return getUserPagesChecked(mm, start, npages, gup);
  tr.begin(
    gup & FOLL_PIN ? "pin_user_pages" : "get_user_pages",
    `${npages} page${npages === 1 ? "" : "s"} at ${hexAddr(start)}, ${follText(gup)}`,
  );
  try {
    const r = getUserPagesChecked(mm, start, npages, gup);
    tr.step(
      "",
      r.err !== 0 ? `returns ${errnoText(r.err)}` : `returns ${r.pages.length}`,
      r.err !== 0 ? { errno: errnoText(r.err) } : undefined,
    );
    return r;
  } finally {
    tr.end();
  }
}

/** The FOLL_* flags by name: `FOLL_WRITE|FOLL_LONGTERM|FOLL_PIN`. */
function follText(gup: number): string {
  const names = [
    ...FOLL_NAMES,
    ["FOLL_TOUCH", FOLL_TOUCH] as const,
    ["FOLL_PIN", FOLL_PIN] as const,
  ]
    .filter(([, b]) => gup & b).map(([n]) => n);
  return names.length === 0 ? "0" : names.join("|");
}

function getUserPagesChecked(mm: Mm, start: number, npages: number, gup: number): GupResult {
  if (start % 4096 !== 0 || npages < 0) return { pages: [], err: -EINVAL };
  if (gup & FOLL_PIN) {
    if (!mm.hasPinned) mm.machine.trace?.step("mm_set_has_pinned_flag", "MMF_HAS_PINNED set");
    mm.hasPinned = true;
  }
  return withMmapReadLock(mm, () => getUserPagesLocked(mm, start, npages, gup));
}

function getUserPagesLocked(mm: Mm, start: number, npages: number, gup: number): GupResult {
  const m = mm.machine;
  const frames = m.frames;
  const pin = (gup & FOLL_PIN) !== 0 && PIN_TAKES_BIAS[m.policy("gup.pinModel")];
  const unshareRo = RO_PIN_UNSHARES[m.policy("gup.roLongtermInCow")];
  const write = (gup & FOLL_WRITE) !== 0;
  const tr = m.trace;
  tr?.step(
    "__get_user_pages",
    `${npages} page${npages === 1 ? "" : "s"} at ${hexAddr(start)}: ${
      pin ? "FOLL_PIN takes the pin bias" : "a plain reference"
    }`,
    { policy: `gup.pinModel=${m.policy("gup.pinModel")}` },
  );
  const pages: GupPage[] = [];
  const fail = (err: number): GupResult => ({ pages, err: pages.length ? 0 : err });
  let vma: Vma | null = null;
  for (let i = 0; i < npages; i++) {
    const addr = start + i * 4096;
    if (vma === null || addr >= vma.end) {
      vma = mm.vmas.lookup(addr);
      if (vma === null) {
        tr?.step("__get_user_pages → gup_vma_lookup", `no VMA at ${hexAddr(addr)}: -EFAULT`, {
          errno: "-EFAULT",
        });
      }
      const err = vma === null
        ? -EFAULT
        : checkVmaFlags(vma, gup, m.policy("gup.longtermWriteFileShared"));
      if (err) return fail(err);
    }
    const v: Vma = vma!;
    const vpn = addr / 4096;
    for (let tries = 0;; tries++) {
      const b = mm.pt.bitsAt(vpn);
      const present = (b & (PTE_PRESENT | PTE_PROTNONE)) === PTE_PRESENT;
      if (present && (!write || (b & PTE_WRITE))) {
        const pfn = mm.pt.pfnAt(vpn);
        const zero = pfn === frames.zeroPfn;
        if ((b & PTE_SPECIAL) && !zero) break; // follow_pfn_pte(): refused below
        if (unshareRo && (gup & FOLL_PIN) && mustUnshare(frames, v, gup, pfn)) {
          // -EMLINK from follow_page_pte, then a FAULT_FLAG_UNSHARE fault.
          const anon = (frames.flags[pfn] & PG_ANON) !== 0;
          if (tr !== null) traceUnshare(tr, frames, pfn, anon, addr);
          const r = anon ? unshareAnonPage(mm, v, addr) : unsharePage(mm, v, addr);
          if (r) return fail(faultErrno(r));
          continue;
        }
        break;
      }
      if (tries > 2) return fail(-EFAULT);
      tr?.begin(
        "__get_user_pages → faultin_page",
        `${pteText(b)} at ${hexAddr(addr)}: handle_mm_fault(${
          write ? "FAULT_FLAG_WRITE" : "read"
        })`,
      );
      let r: number;
      try {
        r = handleMmFault(mm, v, addr, addr, write);
      } catch (e) {
        // A fault that sleeps (handle_userfault) unwinds the call: what was
        // taken goes back, as the restarted call takes it again.
        unpinUserPages(mm, pages);
        throw e;
      } finally {
        tr?.end();
      }
      const err = faultErrno(r);
      if (err) {
        tr?.step("__get_user_pages → faultin_page", `${faultCodeText(r)}: ${errnoText(err)}`, {
          errno: errnoText(err),
        });
        return fail(err);
      }
    }
    const pfn = mm.pt.pfnAt(vpn);
    const zero = pfn === frames.zeroPfn;
    // follow_page_pte(): a special PTE other than the zero page has no page.
    if ((mm.pt.bitsAt(vpn) & PTE_SPECIAL) && !zero) {
      tr?.step(
        "__get_user_pages → follow_page_mask → follow_page_pte → vm_normal_page",
        `special PTE at ${hexAddr(addr)} (no struct page): -EFAULT`,
        { errno: "-EFAULT", pfn },
      );
      return fail(-EFAULT);
    }
    // FOLL_TOUCH -> folio_mark_accessed().
    if (!zero && (gup & FOLL_TOUCH)) markAccessed(m, pfn, (v.flags & VM_LOCKED) !== 0);
    const ref = tryGrab(mm, pfn, pin, zero);
    pages.push({ addr, pfn, pinned: ref === "pin", ref });
  }
  return { pages, err: 0 };
}

/** get_user_pages(): FOLL_TOUCH | FOLL_GET | flags (is_valid_gup_args). */
export function getUserPagesTouch(mm: Mm, start: number, npages: number, flags: number): GupResult {
  return getUserPages(mm, start, npages, flags | FOLL_TOUCH | FOLL_GET);
}

/** pin_user_pages(): FOLL_PIN | flags (no FOLL_TOUCH: the page is not marked accessed). */
export function pinUserPages(mm: Mm, start: number, npages: number, flags: number): GupResult {
  return getUserPages(mm, start, npages, (flags & ~FOLL_GET) | FOLL_PIN);
}

/**
 * unpin_user_page() / put_page() for one page GUP returned: gives back
 * exactly what was taken (gup_put_folio: the bias and a
 * nr_foll_pin_released count for a pin). The last reference frees the
 * frame, wherever it is mapped or not.
 */
export function releaseUserPage(mm: Mm, page: GupPage): void {
  const m = mm.machine;
  const frames = m.frames;
  const pfn = page.pfn;
  const zero = pfn === frames.zeroPfn;
  const ref: GupRef = page.ref ?? (page.pinned ? "pin" : "get");
  if (ref === "none") return;
  if (ref === "pin") {
    frames.pincount[pfn]--;
    m.vmstat.follPinReleased++;
    frames.refcount[pfn] -= GUP_PIN_COUNTING_BIAS - 1;
  } else if (!zero) {
    const n = (frames.gupGets.get(pfn) ?? 0) - 1;
    if (n > 0) frames.gupGets.set(pfn, n);
    else frames.gupGets.delete(pfn);
  }
  // The zero page is reserved: its count only moves back.
  if (zero) frames.refcount[pfn]--;
  else frames.put(pfn);
}

/** unpin_user_pages(): {@link releaseUserPage} for each. */
export function unpinUserPages(mm: Mm, pages: readonly GupPage[]): void {
  for (const p of pages) releaseUserPage(mm, p);
}

/**
 * unpin_user_pages_dirty_lock(): marks each page dirty (the device wrote
 * into it) when `dirty`, then unpins.
 */
export function unpinUserPagesDirtyLock(mm: Mm, pages: readonly GupPage[], dirty: boolean): void {
  const frames = mm.machine.frames;
  for (const p of pages) {
    // set_page_dirty_lock(): a page-cache page must be written back (anon pages
    // are dirty by nature: swap-backed).
    if (dirty && (frames.flags[p.pfn] & PG_FILE)) frames.flags[p.pfn] |= PG_DIRTY;
    releaseUserPage(mm, p);
  }
}

/**
 * Keeps pages GUP returned on the mm's {@link Mm.gupHeld} list, as a
 * driver keeps the pages of a registration (the REPL's pin_user_pages).
 */
export function holdUserPages(mm: Mm, pages: readonly GupPage[]): void {
  mm.gupHeld.push(...pages);
}

/**
 * Gives back the held pages mapped in [start, start + npages pages)
 * (every held page with npages < 0), oldest first; returns how many.
 */
export function releaseHeldPages(mm: Mm, start: number, npages: number): number {
  const end = npages < 0 ? Infinity : start + npages * 4096;
  const keep: GupPage[] = [];
  let n = 0;
  for (const pg of mm.gupHeld) {
    if (pg.addr >= start && pg.addr < end) {
      releaseUserPage(mm, pg);
      n++;
    } else keep.push(pg);
  }
  mm.gupHeld.length = 0;
  mm.gupHeld.push(...keep);
  return n;
}

/**
 * mm/gup.c is_valid_gup_args() (6.3+): callers may not pass GUP's internal
 * flags (FOLL_TOUCH, FOLL_PIN...); FOLL_GET and FOLL_PIN exclude each
 * other; FOLL_LONGTERM only with FOLL_PIN, and never with
 * FOLL_PCI_P2PDMA. Returns 0 or -EINVAL (the kernel also WARNs once; not
 * modelled).
 */
export function isValidGupArgs(flags: number, pin: boolean): number {
  if (flags & ~FOLL_PUBLIC_MASK) return -EINVAL;
  if (pin && (flags & FOLL_GET)) return -EINVAL;
  if (!pin && (flags & FOLL_LONGTERM)) return -EINVAL;
  if ((flags & FOLL_LONGTERM) && (flags & FOLL_PCI_P2PDMA)) return -EINVAL;
  return 0;
}

/** The flags callers may pass (include/linux/mm_types.h's enum). */
const FOLL_PUBLIC_MASK = (1 << 13) - 1;

/**
 * Runs `fn` as pin_user_pages() / get_user_pages() proper run: with the
 * mmap lock held and no `locked` pointer, so FOLL_UNLOCKABLE is off and a
 * fault has no FAULT_FLAG_ALLOW_RETRY. A userfault then cannot wait:
 * handle_userfault() answers VM_FAULT_SIGBUS and GUP -EFAULT (compare
 * Linux's mm/gup.c __gup_longterm_locked with locked == NULL and
 * fs/userfaultfd.c handle_userfault). The _fast and _unlocked variants,
 * which drivers call from a syscall, may wait instead.
 */
export function withoutFaultRetry<R>(mm: Mm, fn: () => R): R {
  return mm.userfaults.withoutRetry(fn);
}
