/**
 * Kernel references to user pages: mm/gup.c get_user_pages() and
 * pin_user_pages(). A driver (RDMA, vfio, O_DIRECT) asks for the pages
 * behind a user range; GUP checks the VMAs (check_vma_flags), faults the
 * pages in with kernel-context semantics (a fault that would signal becomes
 * -EFAULT), unshares COW pages it is asked to pin, and takes a reference:
 * FOLL_GET +1, FOLL_PIN +GUP_PIN_COUNTING_BIAS (1024) and the pin count.
 *
 * Policies: `gup.pinModel` ("get": before FOLL_PIN existed, a pin was a
 * plain reference), `gup.longtermWriteFileShared`.
 * @module
 */

import { EFAULT, EINVAL, ENOMEM } from "../abi/errno.ts";
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
import { GUP_PIN_COUNTING_BIAS, PG_ANON, PG_ANON_EXCLUSIVE, PG_RESERVED } from "../phys/frames.ts";
import { handleMmFault, unshareAnonPage } from "./fault.ts";
import { markAccessed } from "./swap.ts";
import {
  VM_FAULT_HWPOISON,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  vmOpsNeedsWritenotify,
} from "./vm_ops.ts";

export const FOLL_WRITE = 0x01;
/** Mark the page accessed (get_user_pages() sets it; pin_user_pages() does not). */
export const FOLL_TOUCH = 0x02;
export const FOLL_GET = 0x04;
export const FOLL_FORCE = 0x10;
export const FOLL_PIN = 0x40000;
export const FOLL_LONGTERM = 0x100000;

/** One page GUP returned: where it was mapped and which frame. */
export interface GupPage {
  addr: number;
  pfn: number;
  /** The reference taken: a plain get or a FOLL_PIN pin. */
  pinned: boolean;
}

/** The result: pages, or an errno when not a single page could be taken. */
export interface GupResult {
  pages: GupPage[];
  err: number;
}

/** is_cow_mapping() */
function isCow(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/**
 * Policy `gup.pinModel`: FOLL_PIN takes the pin bias (pin_user_pages(),
 * 5.7+), or a plain reference like FOLL_GET (before FOLL_PIN existed).
 */
const PIN_TAKES_BIAS: Record<KnobValue<"gup.pinModel">, boolean> = { get: false, pin: true };

/**
 * Policy `gup.longtermWriteFileShared`: writable_file_mapping_allowed()
 * refuses long-term writable pins of dirty-tracked shared files (6.5+).
 */
const LONGTERM_WRITE_FILE_REFUSED: Record<KnobValue<"gup.longtermWriteFileShared">, boolean> = {
  allow: false,
  efault: true,
};

/**
 * Policy `gup.roLongtermInCow`: gup_must_unshare() also for read-only pins
 * of a shared anonymous page (6.2+), or the pin may see a stale COW page.
 */
const RO_PIN_UNSHARES: Record<KnobValue<"gup.roLongtermInCow">, boolean> = {
  unreliable: false,
  unshare: true,
};

/** mm/gup.c check_vma_flags(): -errno or 0. */
export function checkVmaFlags(
  vma: Vma,
  gup: number,
  gupPolicyWriteFile: KnobValue<"gup.longtermWriteFileShared">,
): number {
  const f = vma.flags;
  if (f & (VM_IO | VM_PFNMAP)) return -EFAULT;
  if (gup & FOLL_WRITE) {
    // writable_file_mapping_allowed(): long-term pins of dirty-tracked files (6.5+).
    if (
      !vma.isAnonymous && LONGTERM_WRITE_FILE_REFUSED[gupPolicyWriteFile] &&
      (gup & (FOLL_PIN | FOLL_LONGTERM)) === (FOLL_PIN | FOLL_LONGTERM) &&
      (f & VM_SHARED) && vmOpsNeedsWritenotify(vma.ops) // vma_needs_dirty_tracking()
    ) return -EFAULT;
    if (!(f & VM_WRITE)) {
      if (!(gup & FOLL_FORCE)) return -EFAULT;
      if (!isCow(f)) return -EFAULT;
    }
  } else if (!(f & VM_READ)) {
    if (!(gup & FOLL_FORCE)) return -EFAULT;
    if (!(f & VM_MAYREAD)) return -EFAULT;
  }
  return 0;
}

/** vm_fault_to_errno() */
function faultErrno(r: number): number {
  if (r & VM_FAULT_OOM) return -ENOMEM;
  if (r & (VM_FAULT_HWPOISON | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) return -EFAULT;
  return 0;
}

/**
 * __get_user_pages(): takes `npages` pages from `start`. Returns the pages
 * taken; `err` is set only when the first page already failed (the kernel
 * returns a short count otherwise).
 */
export function getUserPages(mm: Mm, start: number, npages: number, gup: number): GupResult {
  if (start % 4096 !== 0 || npages < 0) return { pages: [], err: -EINVAL };
  const m = mm.machine;
  const frames = m.frames;
  const pin = (gup & FOLL_PIN) !== 0 && PIN_TAKES_BIAS[m.policy("gup.pinModel")];
  const write = (gup & FOLL_WRITE) !== 0;
  const pages: GupPage[] = [];
  let vma: Vma | null = null;
  for (let i = 0; i < npages; i++) {
    const addr = start + i * 4096;
    if (vma === null || addr >= vma.end) {
      vma = mm.vmas.lookup(addr);
      const err = vma === null
        ? -EFAULT
        : checkVmaFlags(vma, gup, m.policy("gup.longtermWriteFileShared"));
      if (err) return { pages, err: pages.length ? 0 : err };
    }
    const vpn = addr / 4096;
    for (let tries = 0;; tries++) {
      const b = mm.pt.bitsAt(vpn);
      const present = (b & (PTE_PRESENT | PTE_PROTNONE)) === PTE_PRESENT;
      if (present && (!write || (b & PTE_WRITE))) {
        // gup_must_unshare(): a pinned anonymous page must be exclusive.
        const pfn = mm.pt.pfnAt(vpn);
        if (
          pin && !(b & PTE_SPECIAL) && (frames.flags[pfn] & PG_ANON) &&
          !(frames.flags[pfn] & PG_ANON_EXCLUSIVE) &&
          RO_PIN_UNSHARES[m.policy("gup.roLongtermInCow")]
        ) {
          const r = unshareAnonPage(mm, vma!, addr);
          if (r) return { pages, err: pages.length ? 0 : faultErrno(r) };
          continue;
        }
        break;
      }
      if (tries > 2) return { pages, err: pages.length ? 0 : -EFAULT };
      const r = handleMmFault(mm, vma!, addr, addr, write);
      const err = faultErrno(r);
      if (err) return { pages, err: pages.length ? 0 : err };
    }
    const pfn = mm.pt.pfnAt(vpn);
    const special = (mm.pt.bitsAt(vpn) & PTE_SPECIAL) !== 0;
    // follow_page_pte(): FOLL_TOUCH -> folio_mark_accessed().
    if (!special && (gup & FOLL_TOUCH)) markAccessed(m, pfn, (vma!.flags & VM_LOCKED) !== 0);
    if (!special) {
      if (pin) {
        frames.refcount[pfn] += GUP_PIN_COUNTING_BIAS;
        frames.pincount[pfn]++;
        mm.hasPinned = true;
      } else frames.refcount[pfn]++;
    }
    pages.push({ addr, pfn, pinned: pin && !special });
  }
  return { pages, err: 0 };
}

/** get_user_pages(): FOLL_TOUCH | flags (is_valid_gup_args(..., FOLL_TOUCH)). */
export function getUserPagesTouch(mm: Mm, start: number, npages: number, flags: number): GupResult {
  return getUserPages(mm, start, npages, flags | FOLL_TOUCH);
}

/** pin_user_pages(): FOLL_PIN | flags (no FOLL_TOUCH: the page is not marked accessed). */
export function pinUserPages(mm: Mm, start: number, npages: number, flags: number): GupResult {
  return getUserPages(mm, start, npages, (flags & ~FOLL_GET) | FOLL_PIN);
}

/** unpin_user_page() / put_page() for one page GUP returned. */
export function releaseUserPage(mm: Mm, page: GupPage): void {
  const frames = mm.machine.frames;
  if (frames.flags[page.pfn] & PG_RESERVED) return;
  if (page.pinned) {
    frames.pincount[page.pfn]--;
    frames.refcount[page.pfn] -= GUP_PIN_COUNTING_BIAS - 1;
  }
  frames.put(page.pfn);
}
