/**
 * mprotect(2): mm/mprotect.c do_mprotect_pkey() -> mprotect_fixup() ->
 * vma_modify_flags() and change_protection(). linux-mm.md §4.
 *
 * Not atomic, like the kernel: VMAs before a hole or a refused VMA keep
 * their new protection.
 * @module
 */

import { EACCES, EINVAL, ENOMEM } from "../abi/errno.ts";
import { vmOpsNeedsWritenotify } from "./vm_ops.ts";
import {
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_SEM,
  PROT_USERFAULT,
  PROT_WRITE,
} from "../abi/mman.ts";
import type { KnobValue } from "../policy.ts";
import { BIG_USER_END, pageAlignU64, PMD_SIZE, s32, smallU64, u64 } from "../abi/layout.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  clear,
  set,
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_HUGETLB,
  VM_LOCKED,
  VM_LOCKONFAULT,
  VM_NORESERVE,
  VM_SHARED,
  VM_SPECIAL,
  VM_UFFD_WP,
  VM_USERFAULT,
  VM_WRITE,
} from "./vm_flags.ts";
import { calcVmProtBits } from "./mmap.ts";
import { vmaModify } from "./vma_ops.ts";
import { hexAddr, vmaPerms, vmaText } from "./trace_text.ts";
import { mayExpandVm, vmEnoughMemory } from "./accounting.ts";
import {
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
  pteModify,
} from "./pagetable.ts";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../phys/frames.ts";
import { faultinVmaRange } from "./populate.ts";

/**
 * change_protection(): rewrites the present PTEs of [start, end) for the
 * VMA's new flags. Removing write makes them read-only, removing all
 * access makes them PROT_NONE; adding write upgrades only what may be
 * written without a fault (MM_CP_TRY_CHANGE_WRITABLE: exclusive anonymous
 * pages of private mappings, dirty pages of shared ones, everything in a
 * shmem mapping that needs no dirty tracking).
 */
export function changeProtection(mm: Mm, vma: Vma, start: number, end: number): void {
  // A range inside one 2 MiB that has no PTE table, and no secondary MMU to
  // tell: nothing to rewrite (and no walk to set up).
  if (
    mm.notifiers.length === 0 &&
    Math.floor(start / PMD_SIZE) === Math.floor((end - 1) / PMD_SIZE) &&
    mm.pt.table(start / 4096, false) === undefined
  ) return;
  const flags = vma.flags;
  const frames = mm.machine.frames;
  const none = (flags & VM_ACCESS_FLAGS) === 0;
  const writable = (flags & VM_WRITE) !== 0;
  const shared = (flags & VM_SHARED) !== 0;
  // vma_wants_writenotify(): also for uffd-wp tracking.
  const uffdWp = (flags & VM_UFFD_WP) !== 0;
  const writenotify = shared && (uffdWp || vmOpsNeedsWritenotify(vma.ops));
  const range = mm.invalidateStart(start, end, "PROTECTION_VMA");
  mm.pt.forEachTable(start / 4096, end / 4096, (t, _base, lo, hi) => {
    const bits = t.bits;
    for (let i = lo; i < hi; i++) {
      let b = bits[i];
      if (!(b & PTE_PRESENT)) continue;
      if (none) {
        pteModify(t, i, (b | PTE_PROTNONE) & ~PTE_WRITE);
        continue;
      }
      b &= ~PTE_PROTNONE;
      if (!writable) b &= ~PTE_WRITE;
      // can_change_pte_writable(): never a uffd-wp PTE of a VM_UFFD_WP VMA.
      else if (!(b & PTE_WRITE) && !(uffdWp && (b & PTE_UFFD_WP))) {
        if (shared) {
          if (!writenotify || (b & PTE_DIRTY)) b |= PTE_WRITE;
        } else if (!(b & PTE_SPECIAL)) {
          const f = frames.flags[t.pfn[i]];
          if ((f & PG_ANON) && (f & PG_ANON_EXCLUSIVE)) b |= PTE_WRITE;
        }
      }
      pteModify(t, i, b);
    }
  });
  mm.invalidateEnd(range);
}

/**
 * mprotect_fixup(): gives [start, end) of `vma` the flags `newflags`.
 * Returns the VMA now covering the range, or -errno.
 */
function mprotectFixup(
  mm: Mm,
  vma: Vma,
  start: number,
  end: number,
  newflagsIn: number,
): Vma | number {
  let newflags = newflagsIn;
  const oldflags = vma.flags;
  const tr = mm.machine.trace;
  if (newflags === oldflags) {
    tr?.step("mprotect_fixup", `${vmaText(vma)}: flags unchanged, nothing to do`);
    return vma;
  }
  tr?.step(
    "mprotect_fixup",
    `${hexAddr(start)}-${hexAddr(end)} of ${vmaText(vma)} to ${vmaPerms(newflags)}`,
  );
  const pages = (end - start) / 4096;
  if (newflags & VM_WRITE) {
    // Turning private memory writable makes it data: RLIMIT_DATA (may_expand_vm).
    if (!mayExpandVm(mm, newflags, pages) && mayExpandVm(mm, oldflags, pages)) {
      tr?.step("mprotect_fixup → may_expand_vm", "RLIMIT_DATA exceeded: -ENOMEM");
      return -ENOMEM;
    }
    // A private mapping turning writable is charged now.
    if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
      if (!vmEnoughMemory(mm, pages)) {
        tr?.step(
          "mprotect_fixup → security_vm_enough_memory_mm",
          `overcommit refuses ${pages} pages (vm.overcommit_memory=${mm.machine.sysctl.overcommitMemory}): -ENOMEM`,
        );
        return -ENOMEM;
      }
      newflags = set(newflags, VM_ACCOUNT);
    }
  } else if ((oldflags & VM_ACCOUNT) && vma.isAnonymous && vma.anonVma === null) {
    // Never-faulted anonymous memory gives its charge back.
    newflags = clear(newflags, VM_ACCOUNT);
  }
  tr?.begin("mprotect_fixup → vma_modify_flags");
  const r = vmaModify(mm, vma, start, end, { flags: newflags });
  tr?.end();
  if (typeof r === "number") return r;
  // vma_modify_flags() hands back the merged VMA's flags on a merge
  // (*vm_flags_ptr = ret->vm_flags): sticky flags (VM_MAYBE_GUARD `gu`,
  // VM_SOFTDIRTY) that prev or next brought in survive the
  // vm_flags_reset_once(vma, newflags) that follows. Found by the fuzzer.
  newflags = r.flags;
  tr?.step(
    "mprotect_fixup → change_protection",
    `PTEs of ${hexAddr(start)}-${hexAddr(end)} rewritten`,
  );
  changeProtection(mm, r, start, end);
  // Private VM_LOCKED memory becoming writable: break COW now
  // (populate_vma_page_range(), which does nothing for VM_LOCKONFAULT).
  if (
    (oldflags % 2 ** 32 & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED &&
    (newflags & VM_WRITE) && !(newflags & VM_LOCKONFAULT)
  ) {
    faultinVmaRange(mm, r, start, end, true);
  }
  return r;
}

/**
 * Whether prot has a PROT_USERFAULT bit (policy uffd.rfcDesign): only in
 * option 1 of the 2014 thread, which set VM_USERFAULT with mprotect
 * instead of madvise. Elsewhere arch_validate_prot() refuses the bit.
 */
const HAS_PROT_USERFAULT: Record<KnobValue<"uffd.rfcDesign">, boolean> = {
  "userfaultfd": false,
  "madvise+userfaultfd": false,
  "mprotect+userfaultfd": true,
};

/** mprotect(addr, len, prot): linux-mm.md §4 check order. */
export function sysMprotect(
  p: Process,
  addrArg: bigint | number,
  lenArg: bigint | number,
  protArg: bigint | number,
): number {
  let prot = s32(protArg);
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  // Option 1 of the 2014 RFC: PROT_USERFAULT is a valid bit, carried apart
  // from the access bits (it is no protection: no PTE changes for it).
  let userfault = -1;
  if (HAS_PROT_USERFAULT[p.mm.machine.policy("uffd.rfcDesign")]) {
    userfault = prot & PROT_USERFAULT;
    prot &= ~PROT_USERFAULT;
  }
  const sn = smallU64(addrArg), ln = smallU64(lenArg);
  if (sn >= 0 && ln >= 0) {
    // The same checks in number arithmetic: below 2^48 nothing wraps.
    // 1. both directions at once
    if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
    // 2. alignment
    if (sn % 4096 !== 0) return -EINVAL;
    // 3. len 0 succeeds before prot is even looked at
    if (ln === 0) return 0;
    // 4. (end cannot wrap) 5. arch_validate_prot()
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
    if (sn >= USER_END) return -ENOMEM;
    const endN = sn + Math.ceil(ln / 4096) * 4096;
    return mprotectRange(p.mm, sn, endN > USER_END ? USER_END : endN, prot, grows, userfault);
  }
  const start = u64(addrArg);
  const len0 = u64(lenArg);
  // 1. both directions at once
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  // 2. alignment
  if ((start & 0xfffn) !== 0n) return -EINVAL;
  // 3. len 0 succeeds before prot is even looked at
  if (len0 === 0n) return 0;
  // 4. end wraps (or len rounds to 0)
  const alen = pageAlignU64(len0);
  let endB = start + alen;
  if (endB > 0xffffffffffffffffn || alen === 0n) return -ENOMEM;
  if (endB <= start) return -ENOMEM;
  // 5. arch_validate_prot(): R/W/X and PROT_SEM only
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
  // User addresses are below 2^47; past that nothing is mapped.
  if (start >= BIG_USER_END) return -ENOMEM;
  if (endB > BIG_USER_END) endB = BIG_USER_END;
  return mprotectRange(p.mm, Number(start), Number(endB), prot, grows, userfault);
}

/** 2^47: the end of the canonical user half. */
const USER_END = 0x800000000000;

/**
 * do_mprotect_pkey() from the VMA lookup on: [s, end) is page aligned,
 * below 2^47. `userfault` is -1 where PROT_USERFAULT does not exist, else
 * the bit (0 clears VM_USERFAULT, as a prot without PROT_READ clears
 * VM_READ).
 */
function mprotectRange(
  mm: Mm,
  start: number,
  end: number,
  prot: number,
  grows: number,
  userfault: number,
): number {
  let s = start;
  // 8. the first VMA intersecting [start, end)
  let vma = mm.vmas.find(s);
  const tr = mm.machine.trace;
  if (vma === null || vma.start >= end) {
    tr?.step("do_mprotect_pkey", "no VMA intersects the range: -ENOMEM");
    return -ENOMEM;
  }
  if (grows & PROT_GROWSDOWN) {
    s = vma.start;
    if (!(vma.flags & VM_GROWSDOWN)) return -EINVAL;
  } else {
    if (vma.start > s) {
      tr?.step("do_mprotect_pkey", `the range starts in a hole below ${vmaText(vma)}: -ENOMEM`);
      return -ENOMEM;
    }
    if (grows & PROT_GROWSUP) return -EINVAL; // no VM_GROWSUP on x86
  }
  let nstart = s;
  let tmp = vma.start;
  let error = 0;
  const protBits = calcVmProtBits(prot);
  for (let v: Vma | null = vma; v !== null && v.start < end; v = vma!.next) {
    if (v.start !== tmp) {
      tr?.step("do_mprotect_pkey", `a hole at ${hexAddr(tmp)}: -ENOMEM`);
      error = -ENOMEM;
      break;
    }
    let newflags = set(clear(v.flags, VM_ACCESS_FLAGS), protBits);
    if (userfault >= 0) {
      newflags = userfault ? set(newflags, VM_USERFAULT) : clear(newflags, VM_USERFAULT);
    }
    // Each requested access needs its VM_MAY* bit (newflags >> 4).
    if ((newflags & ~(newflags >>> 4)) & VM_ACCESS_FLAGS) {
      tr?.step(
        "do_mprotect_pkey",
        `${vmaText(v)} lacks a VM_MAY* bit for ${vmaPerms(newflags)}: -EACCES`,
      );
      error = -EACCES;
      break;
    }
    // Option 1 keeps the RFC's rule where arch_validate_flags() stands:
    // VM_USERFAULT only on private anonymous memory, -EINVAL elsewhere.
    if (userfault > 0 && (!v.isAnonymous || (v.flags & (VM_SHARED | VM_SPECIAL)))) {
      error = -EINVAL;
      break;
    }
    tmp = Math.min(v.end, end);
    const r = mprotectFixup(mm, v, nstart, tmp, newflags);
    if (typeof r === "number") {
      error = r;
      break;
    }
    vma = r;
    tmp = r.end;
    nstart = tmp;
  }
  if (error === 0 && tmp < end) error = -ENOMEM;
  return error;
}
