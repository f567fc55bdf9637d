/**
 * The page-fault handler: mm/memory.c handle_mm_fault() ->
 * handle_pte_fault() and its cases — do_anonymous_page (zero page on
 * read, a fresh page on write), do_read_fault / do_cow_fault /
 * do_shared_fault for files, do_wp_page (reuse an exclusive page, or copy),
 * PTE markers, and driver vm_ops->fault. linux-mm.md §7.3-7.7.
 *
 * Permission checks (access_error) happen before, in access.ts; this code
 * assumes the VMA allows the access.
 * @module
 */

import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { FrameTable } from "../phys/frames.ts";
import type { AnonVma, Vma } from "./vma.ts";
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
  PTE_YOUNG,
} from "./pagetable.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_READAHEAD, PG_UPTODATE } from "../phys/frames.ts";
import {
  has,
  VM_ACCESS_FLAGS,
  VM_IGNORE_MERGE,
  VM_SHARED,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  VM_USERFAULT,
  VM_WRITE,
} from "./vm_flags.ts";
import {
  uffdDisableFaultAround,
  userfaultfdPteWp,
  userfaultfdWp,
  userfaultfdWpAsync,
} from "./userfaultfd_k.ts";
import {
  VM_FAULT_ERROR,
  VM_FAULT_HWPOISON,
  VM_FAULT_NOPAGE,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  type VmFault,
  vmOpsNeedsWritenotify,
} from "./vm_ops.ts";
import {
  traceDoFault,
  traceFaultResult,
  traceNewAnon,
  tracePteFault,
  traceUffdMissing,
  traceWpCopy,
  traceWpReuse,
} from "./fault_trace.ts";

/**
 * anon_vma_prepare(): the first write fault gives the VMA its anon_vma,
 * reusing a neighbour's when {@link findMergeableAnonVma} finds one.
 */
export function anonVmaPrepare(vma: Vma): void {
  if (vma.anonVma !== null) return;
  vma.anonVma = findMergeableAnonVma(vma) ?? vma.mm.machine.newAnonVma();
}

/**
 * mm/vma.c: anon_vma_compatible(): `a` ends where `b` starts, same file,
 * flags equal but for the access bits and those merging ignores, pgoff
 * linear across the two (mempolicies are not modelled: all equal).
 */
function anonVmaCompatible(a: Vma, b: Vma): boolean {
  const diff = (a.flags ^ b.flags) & ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE);
  return a.end === b.start && a.file === b.file && diff === 0 &&
    b.pgoff === a.pgoff + (b.start - a.start) / 4096;
}

/**
 * mm/vma.c: find_mergeable_anon_vma() / reusable_anon_vma(): the next
 * VMA's anon_vma, else the previous one's, when that VMA is compatible and
 * its anon_vma_chain is singular (not a fork child's), so that a later
 * mprotect can merge the two again.
 */
function findMergeableAnonVma(vma: Vma): AnonVma | null {
  const reusable = (old: Vma | null, a: Vma | null, b: Vma | null) =>
    old !== null && a !== null && b !== null && anonVmaCompatible(a, b) &&
      old.anonVma !== null && !old.forkChild
      ? old.anonVma
      : null;
  return reusable(vma.next, vma, vma.next) ?? reusable(vma.prev, vma.prev, vma);
}

/**
 * Whether do_anonymous_page() maps the zero page for a read fault (policy
 * `mm.zeroPage`). Shared with the dry run of lib/trace/explain.ts.
 */
export function readMapsZeroPage(mm: Mm): boolean {
  return READ_MAPS_ZERO_PAGE[mm.machine.policy("mm.zeroPage")];
}

/**
 * Whether a missing anonymous fault asks the userfaultfds at all (policy
 * `uffd.rfcDesign`). Shared with lib/trace/explain.ts.
 */
export function uffdMissingEngages(mm: Mm, vma: Vma): boolean {
  return mm.userfaults.size > 0 &&
    (!UFFD_NEEDS_VM_USERFAULT[mm.machine.policy("uffd.rfcDesign")] || has(vma.flags, VM_USERFAULT));
}

/**
 * wp_can_reuse_anon_folio(), as far as mmlab models it: an anonymous page
 * that is exclusive, or that nobody else holds a reference to. Shared with
 * lib/trace/explain.ts.
 */
export function wpCanReuse(frames: FrameTable, pfn: number, bits: number): boolean {
  return !(bits & PTE_SPECIAL) && (frames.flags[pfn] & PG_ANON) !== 0 &&
    ((frames.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0 || frames.refcount[pfn] === 1);
}

/** Allocates and maps a fresh anonymous page at `addr` (writable if the VMA is). */
export function newAnonPage(mm: Mm, vma: Vma, addr: number, copyFrom: number): number {
  const frames = mm.machine.frames;
  anonVmaPrepare(vma);
  const pfn = frames.alloc();
  if (pfn < 0) return -1;
  if (copyFrom >= 0) frames.copy(pfn, copyFrom);
  frames.flags[pfn] = PG_ANON | PG_ANON_EXCLUSIVE;
  frames.owner[pfn] = vma.anonVma!.id;
  frames.index[pfn] = vma.pgoff + (addr - vma.start) / 4096;
  frames.mapcount[pfn] = 1;
  const w = vma.flags & VM_WRITE ? PTE_WRITE | PTE_DIRTY : 0;
  mm.pt.set(addr / 4096, pfn, PTE_PRESENT | PTE_YOUNG | w);
  return pfn;
}

/**
 * Policy `mm.zeroPage`: whether do_anonymous_page() maps the shared zero
 * page for a read fault ("map"), or allocates a zeroed page as for a write
 * ("forbid": mm_forbids_zeropage(), an arch or boot property, e.g. s390
 * with guest storage keys). Every read fault-in (the CPU, MAP_POPULATE,
 * MADV_POPULATE_READ, mlock, GUP) comes through here.
 */
const READ_MAPS_ZERO_PAGE: Record<KnobValue<"mm.zeroPage">, boolean> = {
  map: true,
  forbid: false,
};

/**
 * mm/mmap.c vma_wants_writenotify(), the part that matters here: a shared
 * mapping whose vm_ops have ->page_mkwrite (the filesystem tracks dirtying,
 * ext4) maps pages read-only on read faults; shmem has none.
 */
function wantsWritenotify(vma: Vma): boolean {
  // "Do we need write faults for uffd-wp tracking?": a VM_UFFD_WP VMA does.
  if (vma.flags & VM_UFFD_WP) return true;
  return vmOpsNeedsWritenotify(vma.ops);
}

/** Maps a page-cache page at `addr` (finish_fault / set_pte_range). */
export function mapFilePage(mm: Mm, vma: Vma, addr: number, pfn: number, write: boolean): void {
  const frames = mm.machine.frames;
  frames.get(pfn);
  frames.mapcount[pfn]++;
  let bits = PTE_PRESENT | PTE_YOUNG;
  if ((vma.flags & VM_SHARED) && (vma.flags & VM_WRITE)) {
    if (write) {
      bits |= PTE_WRITE | PTE_DIRTY;
      frames.flags[pfn] |= PG_DIRTY;
    } else if (!wantsWritenotify(vma)) {
      bits |= PTE_WRITE;
    }
  }
  mm.pt.set(addr / 4096, pfn, bits);
}

/** fault_around_bytes (mm/memory.c, default 64 KiB), in pages. */
const FAULT_AROUND_PAGES = 16;

/**
 * mm/filemap.c filemap_map_pages(), the ->map_pages of file vm_ops, over
 * the window mm/memory.c do_fault_around() picks, as
 * do_read_fault() calls it before ->fault: every page already in the page
 * cache (and below EOF) in the fault_around_bytes-aligned window around
 * the fault, clipped to the VMA and to the page table, is mapped read-only
 * (as a read fault would map it) where its PTE is none. Pages not cached
 * are left alone, and so are pages that are not uptodate or carry the
 * readahead marker (next_uptodate_folio). Checked on 6.18.44: reading one
 * page of a 16-page shared file mapping whose pages 0, 1 and 3 are cached
 * gives Rss 12 kB. Each page found (mapped already or not) makes up for
 * one mmap miss of the file's readahead state.
 */
export function filemapMapPages(vmf: VmFault): void {
  const { vma, address: addr } = vmf;
  const mm = vma.mm;
  const inode = vma.file!.inode;
  const frames = mm.machine.frames;
  const flags = frames.flags;
  const pteOff = (addr / 4096) % 512;
  const vmaOff = (addr - vma.start) / 4096;
  const vmaPages = (vma.end - vma.start) / 4096;
  const from = Math.max(pteOff - (pteOff % FAULT_AROUND_PAGES), pteOff - Math.min(pteOff, vmaOff));
  const to = Math.min(from + FAULT_AROUND_PAGES, 512, pteOff + vmaPages - vmaOff);
  let found = 0;
  for (let i = from; i < to; i++) {
    const a = addr + (i - pteOff) * 4096;
    const index = vma.pageIndex(a);
    if (index >= inode.sizePages) continue; // next_uptodate_folio(): not at/after EOF
    const pfn = inode.pages.get(index);
    if (pfn === undefined) continue;
    if (!(flags[pfn] & PG_UPTODATE) || (flags[pfn] & PG_READAHEAD)) continue;
    if (found === 0 && inode.kind !== "shmem" && mm.pt.table(a / 4096, false) === undefined) {
      // The first folio found holds the file's last page (can_map_large is
      // false; shmem is exempt): filemap_map_pmd(), which would install the
      // preallocated PTE table, is skipped, and with no table
      // pte_offset_map_lock() fails: nothing is mapped. Seen on 6.18.44: a
      // fault past EOF in a fresh mapping whose only cached page in the
      // window is the EOF page.
      const nr = 2 ** frames.order[pfn];
      if (index - (index % nr) + nr - 1 >= inode.sizePages - 1) return;
    }
    found++;
    if (mm.pt.bitsAt(a / 4096) !== 0) continue; // only pte_none() slots
    mapFilePage(mm, vma, a, pfn, false);
  }
  // filemap_map_pages(): mmap_miss -= the pages found (not below 0).
  const ra = vma.file!.ra;
  ra.mmapMiss = Math.max(0, ra.mmapMiss - found);
}

/**
 * do_wp_page(): a write to a present, write-protected PTE in a writable VMA.
 */
function doWpPage(mm: Mm, vma: Vma, addr: number, bits: number, pfn: number): number {
  const frames = mm.machine.frames;
  const vpn = addr / 4096;
  const tr = mm.machine.trace;
  if (vma.flags & VM_SHARED) {
    // wp_pfn_shared(): no struct page (vm_normal_page() is NULL: a special
    // PTE, the zero page of a DAX hole) and vm_ops with ->pfn_mkwrite.
    const pfnMkwrite = vma.ops?.pfnMkwrite;
    if ((bits & PTE_SPECIAL) && pfnMkwrite !== undefined) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → do_wp_page → wp_pfn_shared",
        "no struct page behind the PTE: vm_ops->pfn_mkwrite",
      );
      const pgoff = vma.pageIndex(addr);
      const vmf = {
        vma,
        address: addr,
        realAddress: addr,
        pgoff,
        write: true,
        tried: false,
        page: -1,
      };
      return pfnMkwrite(vmf) & VM_FAULT_ERROR;
    }
    tr?.step(
      "handle_mm_fault → handle_pte_fault → do_wp_page → wp_page_shared",
      "shared mapping: page_mkwrite, PTE made writable and dirty",
    );
    // wp_page_shared(): page_mkwrite, then make it writable and dirty.
    if (!(bits & PTE_SPECIAL)) frames.flags[pfn] |= PG_DIRTY;
    mm.pt.set(vpn, pfn, bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    return 0;
  }
  {
    // wp_can_reuse_anon_folio(): exclusive, or nobody else holds a reference.
    if (wpCanReuse(frames, pfn, bits)) {
      if (tr !== null) traceWpReuse(tr, frames, pfn);
      frames.flags[pfn] |= PG_ANON_EXCLUSIVE;
      mm.pt.set(vpn, pfn, bits | PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
      return 0;
    }
  }
  // wp_page_copy(): copy the zero page (a fresh zeroed page), a page-cache
  // page, a shared anon page, or a special pfn with no struct page (a
  // private remap_pfn_range mapping: __wp_page_copy_user reads it).
  if (tr !== null) traceWpCopy(tr, frames, pfn, bits);
  const range = mm.invalidateStart(addr, addr + 4096, "CLEAR");
  const special = (bits & PTE_SPECIAL) !== 0;
  const np = newAnonPage(mm, vma, addr, pfn === frames.zeroPfn ? -1 : pfn);
  if (np < 0) {
    mm.invalidateEnd(range);
    return VM_FAULT_OOM;
  }
  if (!special) {
    frames.mapcount[pfn]--;
    frames.put(pfn);
  }
  mm.invalidateEnd(range);
  return 0;
}

/**
 * FAULT_FLAG_UNSHARE: replace a COW-shared anonymous page by an exclusive
 * copy without making the PTE writable (wp_page_copy for GUP pins, 5.19+).
 * Returns 0 or VM_FAULT_OOM.
 */
export function unshareAnonPage(mm: Mm, vma: Vma, addr: number): number {
  const vpn = addr / 4096;
  const bits = mm.pt.bitsAt(vpn);
  const pfn = mm.pt.pfnAt(vpn);
  const frames = mm.machine.frames;
  if (frames.refcount[pfn] === 1) {
    frames.flags[pfn] |= PG_ANON_EXCLUSIVE;
    return 0;
  }
  const range = mm.invalidateStart(addr, addr + 4096, "CLEAR");
  const np = newAnonPage(mm, vma, addr, pfn);
  if (np < 0) {
    mm.invalidateEnd(range);
    return VM_FAULT_OOM;
  }
  // Keep the old protection: an unshare is not a write.
  mm.pt.set(vpn, np, (bits & ~PTE_WRITE) | PTE_PRESENT);
  frames.mapcount[pfn]--;
  frames.put(pfn);
  mm.invalidateEnd(range);
  return 0;
}

/**
 * FAULT_FLAG_UNSHARE on a page that is not anonymous (the zero page, a
 * page-cache page in a private mapping): do_wp_page() -> wp_page_copy()
 * gives the VMA an exclusive anonymous copy, mapped read-only, so a
 * read-only long-term pin holds the page later CPU writes go to
 * (mm/gup.c gup_must_unshare, 6.2+). Returns 0 or VM_FAULT_OOM.
 */
export function unsharePage(mm: Mm, vma: Vma, addr: number): number {
  const vpn = addr / 4096;
  const bits = mm.pt.bitsAt(vpn);
  const pfn = mm.pt.pfnAt(vpn);
  const frames = mm.machine.frames;
  const zero = pfn === frames.zeroPfn;
  const range = mm.invalidateStart(addr, addr + 4096, "CLEAR");
  const np = newAnonPage(mm, vma, addr, zero ? -1 : pfn);
  if (np < 0) {
    mm.invalidateEnd(range);
    return VM_FAULT_OOM;
  }
  mm.pt.set(vpn, np, (bits & ~(PTE_WRITE | PTE_SPECIAL)) | PTE_PRESENT);
  if (!(bits & PTE_SPECIAL)) {
    frames.mapcount[pfn]--;
    frames.put(pfn);
  }
  mm.invalidateEnd(range);
  return 0;
}

/**
 * Whether a missing fault reaches a userfaultfd only in a VM_USERFAULT VMA
 * (policy uffd.rfcDesign): in what shipped registration alone engages it
 * (option 2 of the 2014 thread); the RFC (option 3, VM_USERFAULT from
 * MADV_USERFAULT) and its mprotect variant (option 1, from PROT_USERFAULT)
 * wanted both.
 */
const UFFD_NEEDS_VM_USERFAULT: Record<KnobValue<"uffd.rfcDesign">, boolean> = {
  "userfaultfd": false,
  "madvise+userfaultfd": true,
  "mprotect+userfaultfd": true,
};

/**
 * handle_mm_fault() for one page. `addr` is page aligned, `realAddr` the
 * exact address. Returns 0 or a VM_FAULT_* error code. A fault that had
 * to read a file page from disk ends in VM_FAULT_RETRY and is redone
 * here with FAULT_FLAG_TRIED (`tried`), as the arch fault handler and GUP
 * do.
 */
export function handleMmFault(
  mm: Mm,
  vma: Vma,
  addr: number,
  realAddr: number,
  write: boolean,
  tried = false,
): number {
  const vpn = addr / 4096;
  const bits = mm.pt.bitsAt(vpn);
  const tr = mm.machine.trace;
  if (tr !== null) tracePteFault(tr, vma, write, bits, tried);
  if (bits & PTE_PRESENT) {
    if (bits & PTE_PROTNONE) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → do_numa_page",
        "PROT_NONE PTE in an accessible VMA: restored",
      );
      // The VMA allows the access now (access_error passed): restore the PTE.
      mm.pt.set(vpn, mm.pt.pfnAt(vpn), bits & ~PTE_PROTNONE);
      return handleMmFault(mm, vma, addr, realAddr, write);
    }
    if (write && !(bits & PTE_WRITE)) {
      // do_wp_page(): a uffd-wp PTE goes to handle_userfault(VM_UFFD_WP),
      // or with UFFD_FEATURE_WP_ASYNC loses its bit and the write goes on.
      if (userfaultfdPteWp(vma, bits)) {
        tr?.step(
          "handle_mm_fault → handle_pte_fault → do_wp_page",
          userfaultfdWpAsync(vma)
            ? "uffd-wp PTE, UFFD_FEATURE_WP_ASYNC: bit cleared, the write goes on"
            : "uffd-wp PTE: handle_userfault(VM_UFFD_WP)",
        );
        if (!userfaultfdWpAsync(vma)) {
          const r = mm.userfaults.wp(vma, addr, realAddr);
          return r >= 0 ? r : VM_FAULT_SIGBUS;
        }
        mm.pt.modify(vpn, bits & ~PTE_UFFD_WP);
        return doWpPage(mm, vma, addr, bits & ~PTE_UFFD_WP, mm.pt.pfnAt(vpn));
      }
      return doWpPage(mm, vma, addr, bits, mm.pt.pfnAt(vpn));
    }
    tr?.step(
      "handle_mm_fault → handle_pte_fault",
      "PTE present and allows the access: accessed/dirty set",
    );
    mm.pt.set(vpn, mm.pt.pfnAt(vpn), bits | PTE_YOUNG | (write ? PTE_DIRTY : 0));
    return 0;
  }
  if (bits & PTE_MARKER) {
    const kind = mm.pt.pfnAt(vpn);
    if (kind === MARKER_GUARD) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → handle_pte_marker",
        "PTE_MARKER_GUARD: VM_FAULT_SIGSEGV",
      );
      return VM_FAULT_SIGSEGV;
    }
    if (kind === MARKER_POISON || kind === MARKER_HWPOISON) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → handle_pte_marker",
        "poison marker: VM_FAULT_HWPOISON",
      );
      return VM_FAULT_HWPOISON;
    }
    // A PTE_MARKER_UFFD_WP: pte_marker_handle_uffd_wp() -> do_pte_missing(),
    // and the page it maps keeps the protection (below).
  }
  const r = doPteMissing(mm, vma, addr, realAddr, write, tried);
  // set_pte_range() / do_anonymous_page(): vmf_orig_pte_uffd_wp() makes the
  // new PTE uffd-wp (and read-only) while the VMA is userfaultfd_wp().
  if (r === 0 && (bits & PTE_MARKER) && (bits & PTE_UFFD_WP) && userfaultfdWp(vma)) {
    const nb = mm.pt.bitsAt(vpn);
    if (nb & PTE_PRESENT) mm.pt.modify(vpn, (nb | PTE_UFFD_WP) & ~PTE_WRITE);
  }
  return r;
}

/** do_pte_missing(): a none PTE (or a uffd-wp marker), anonymous or file. */
function doPteMissing(
  mm: Mm,
  vma: Vma,
  addr: number,
  realAddr: number,
  write: boolean,
  tried: boolean,
): number {
  const vpn = addr / 4096;
  const tr = mm.machine.trace;
  // pte_none(): a missing page.
  if (vma.isAnonymous) {
    // userfaultfd_missing(vma) -> handle_userfault(). The 2014 RFC (options
    // 3 and 1 of its thread) engaged a userfaultfd only where a registered
    // range and a VM_USERFAULT range intersect.
    if (uffdMissingEngages(mm, vma)) {
      // A fault that allocates (a write, or a read without the zero page)
      // prepares the anon_vma before userfaultfd_missing() is asked
      // (vmf_anon_prepare): a SIGBUS or a wait still leaves the VMA one.
      if (write || !readMapsZeroPage(mm)) anonVmaPrepare(vma);
      const r = mm.userfaults.missing(vma, addr, write, realAddr);
      if (r >= 0) {
        if (tr !== null) traceUffdMissing(tr, r);
        return r;
      }
    }
    // The 2014 RFC (uffd.madv18 = userfault-rfc): with no userfaultfd
    // taking the fault, handle_userfault() returned VM_FAULT_SIGBUS for a
    // VM_USERFAULT VMA, reads included (SIGBUS BUS_ADRERR for a user access,
    // EFAULT for a kernel one). Only MADV_USERFAULT or PROT_USERFAULT set it.
    if (has(vma.flags, VM_USERFAULT)) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → do_pte_missing → handle_userfault",
        "VM_USERFAULT and no userfaultfd: VM_FAULT_SIGBUS",
      );
      return VM_FAULT_SIGBUS;
    }
    // do_anonymous_page(): a read maps the shared zero page unless
    // mm_forbids_zeropage() (policy mm.zeroPage); then, as for a write, a
    // fresh zeroed page, writable and dirty in a writable VMA.
    if (!write && readMapsZeroPage(mm)) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → do_pte_missing → do_anonymous_page → set_pte_at",
        "read: maps the shared zero page read-only (mm.zeroPage=map)",
      );
      mm.pt.set(vpn, mm.machine.frames.zeroPfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
      return 0;
    }
    const np = newAnonPage(mm, vma, addr, -1);
    if (tr !== null) traceNewAnon(tr, vma, write, np);
    return np < 0 ? VM_FAULT_OOM : 0;
  }
  // do_fault(): vm_ops without ->fault is SIGBUS.
  const ops = vma.ops;
  if (ops === null || ops.fault === undefined) {
    tr?.step(
      "handle_mm_fault → handle_pte_fault → do_pte_missing → do_fault",
      "vm_ops has no ->fault: VM_FAULT_SIGBUS",
    );
    return VM_FAULT_SIGBUS;
  }
  const vmf: VmFault = {
    vma,
    address: addr,
    realAddress: realAddr,
    pgoff: vma.pageIndex(addr),
    write,
    tried,
    page: -1,
  };
  // do_read_fault(): map the cached pages around first (->map_pages),
  // unless uffd_disable_fault_around() (a WP or MINOR VMA).
  if (!write && ops.mapPages !== undefined && !uffdDisableFaultAround(vma)) {
    ops.mapPages(vmf);
    if (mm.pt.bitsAt(vpn) & PTE_PRESENT) {
      tr?.step(
        "handle_mm_fault → handle_pte_fault → do_fault → do_read_fault → do_fault_around",
        "the page was cached: mapped by ->map_pages",
      );
      return 0;
    }
  }
  // do_cow_fault(): vmf_anon_prepare() comes before __do_fault(), so a
  // private write fault that then fails (SIGBUS past EOF) or waits still
  // leaves the VMA an anon_vma (which keeps it from merging later).
  if (write && !(vma.flags & VM_SHARED)) anonVmaPrepare(vma);
  if (tr !== null) traceDoFault(tr, vma, write, vmf.pgoff);
  const r = ops.fault(vmf);
  if (tr !== null) traceFaultResult(tr, vma, write, r, vmf.userfault === true, vmf.page);
  // handle_userfault()'s own result (a wait, SIGBUS) goes back as it is.
  if (vmf.userfault) {
    return r;
  }
  if (r & VM_FAULT_RETRY) {
    return handleMmFault(mm, vma, addr, realAddr, write, true);
  }
  if (r & VM_FAULT_ERROR) {
    return r & VM_FAULT_ERROR;
  }
  // VM_FAULT_NOPAGE: the handler installed the PTE itself (vmf_insert_pfn).
  const page = vmf.page;
  if ((r & VM_FAULT_NOPAGE) || page < 0) {
    return 0;
  }
  if (write && !(vma.flags & VM_SHARED)) {
    // do_cow_fault(): a private copy of the file page.
    return newAnonPage(mm, vma, addr, page) < 0 ? VM_FAULT_OOM : 0;
  }
  finishFault(mm, vma, addr, page, write);
  return 0;
}

/**
 * mm/memory.c finish_fault() for a page-cache page: set_pte_range() over
 * the whole large folio holding it, as seen on 6.18.44 with ext4 (a write
 * fault on the second page of the 8K folio an 8K pwrite made maps both,
 * dirty). It falls back to the one page when userfaultfd is armed on the
 * VMA, when the folio reaches outside the VMA or the PTE table, or when
 * any of the folio's PTEs is not none (pte_range_none()), or when the
 * folio reaches past EOF. A large folio
 * is the pages of an aligned block sharing `frames.order`.
 */
function finishFault(mm: Mm, vma: Vma, addr: number, pfn: number, write: boolean): void {
  const frames = mm.machine.frames;
  const nr = 2 ** frames.order[pfn];
  const inode = vma.file?.inode;
  const armed = (vma.flags & VM_UFFD_MISSING) !== 0 || has(vma.flags, VM_UFFD_WP) ||
    has(vma.flags, VM_UFFD_MINOR); // userfaultfd_armed()
  if (nr === 1 || inode === undefined || armed) {
    mapFilePage(mm, vma, addr, pfn, write);
    return;
  }
  const idx = frames.index[pfn] % nr; // folio_page_idx()
  const vmaOff = (addr - vma.start) / 4096;
  const pteOff = (addr / 4096) % 512;
  const first = addr - idx * 4096;
  // A folio reaching past EOF is mapped a page at a time (seen on
  // 6.18.44: after ftruncate into a dirty 16K folio, a write fault on its
  // first page maps that page alone).
  const head = frames.index[pfn] - idx;
  let whole = (inode.kind === "shmem" || head + nr <= inode.sizePages) && vmaOff >= idx &&
    vmaOff + nr - idx <= (vma.end - vma.start) / 4096 &&
    pteOff >= idx && pteOff + nr - idx <= 512;
  for (let i = 0; whole && i < nr; i++) {
    const p = inode.pages.get(frames.index[pfn] - idx + i);
    whole = p !== undefined && frames.order[p] === frames.order[pfn] &&
      mm.pt.bitsAt(first / 4096 + i) === 0;
  }
  if (!whole) {
    mapFilePage(mm, vma, addr, pfn, write);
    return;
  }
  for (let i = 0; i < nr; i++) {
    mapFilePage(mm, vma, first + i * 4096, inode.pages.get(frames.index[pfn] - idx + i)!, write);
  }
}
