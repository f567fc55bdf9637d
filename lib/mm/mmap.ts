/**
 * mmap(2) on x86-64: arch/x86/kernel/sys_x86_64.c SYSCALL mmap ->
 * mm/mmap.c ksys_mmap_pgoff -> vm_mmap_pgoff -> do_mmap ->
 * __get_unmapped_area -> mm/vma.c mmap_region. Checks run in the kernel's
 * order (linux-mm.md §2.1); the first failing one wins.
 * @module
 */

import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EINVAL,
  ENODEV,
  ENOMEM,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
} from "../abi/errno.ts";
import {
  LEGACY_MAP_MASK,
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGE_MASK,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  MAP_SYNC,
  MAP_TYPE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../abi/mman.ts";
import {
  BIG_TASK_SIZE,
  MAX_LFS_FILESIZE_U64,
  pageAlignU64,
  s32,
  smallU64,
  TASK_SIZE,
  u64,
  U64_MAX,
} from "../abi/layout.ts";
import type { InodeKind } from "../fs/inode.ts";
import type { Process } from "../proc/process.ts";
import type { OpenFile } from "../fs/file.ts";
import { FOP_HUGE_PAGES, FOP_MMAP_SYNC, type VmAreaDesc } from "./file_operations.ts";
import type { VmOperations } from "./vm_ops.ts";
import { SHMEM_VM_OPS, shmemZeroSetup } from "./shmem.ts";
import type { Mm } from "./mm.ts";
import { Vma } from "./vma.ts";
import {
  any,
  clear,
  combine,
  set,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DROPPABLE,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_SYNC,
  VM_WIPEONFORK,
  VM_WRITE,
} from "./vm_flags.ts";
import { getUnmappedArea, mmapMinAddr } from "./get_unmapped_area.ts";
import { doMunmap } from "./munmap.ts";
import { mergeNewRange, vmaLink } from "./vma_ops.ts";
import { populateOrGiveUp, populateThen } from "./populate.ts";
import { mayExpandVm, mlockFutureOk, vmEnoughMemory } from "./accounting.ts";
import { supportsMlock } from "./mlock.ts";

/** include/linux/mman.h: calc_vm_prot_bits(). */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
    (prot & PROT_EXEC ? VM_EXEC : 0);
}

/** include/linux/mman.h: calc_vm_flag_bits(). */
function calcVmFlagBits(flags: number): number {
  return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0) |
    (flags & MAP_SYNC ? VM_SYNC : 0) | (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}

/**
 * mm/mmap.c file_mmap_ok() with file_mmap_size_max(): regular files
 * (ext4, shmem) end at MAX_LFS_FILESIZE (LLONG_MAX), anything else at
 * ULONG_MAX; pgoff <= (max - len) >> PAGE_SHIFT. Checked on 6.18: a one-page
 * mapping at offset 0x7ffffffffffff000 of an ext4 file or a memfd is
 * EOVERFLOW, at 0x7fffffffffffe000 it maps.
 */
export function fileMmapOk(kind: InodeKind, pgoff: number, len: bigint): boolean {
  const max = kind === "regular" || kind === "shmem" ? MAX_LFS_FILESIZE_U64 : U64_MAX;
  if (len > max) return false;
  return BigInt(pgoff) <= (max - len) >> 12n;
}

/** What a new mapping is, once do_mmap() has decided. */
export interface MapRequest {
  addr: number;
  len: number;
  flags: number;
  pgoff: number;
  file: OpenFile | null;
}

/**
 * mm/vma.c: mmap_region(). Unmaps whatever [addr, addr+len) held, accounts
 * the mapping, merges it with a neighbour or links a new VMA. Returns the
 * address or -errno.
 */
export function mmapRegion(mm: Mm, req: MapRequest): number {
  const tr = mm.machine.trace;
  if (tr === null) return mmapRegionSteps(mm, req);
  tr.begin(
    "do_mmap → __mmap_region",
    `0x${req.addr.toString(16)}-0x${(req.addr + req.len).toString(16)}`,
  );
  try {
    return mmapRegionSteps(mm, req);
  } finally {
    tr.end();
  }
}

/** mmapRegion() itself; the wrapper above only opens and closes its trace entry. */
function mmapRegionSteps(mm: Mm, req: MapRequest): number {
  const { addr, len } = req;
  let flags = req.flags;
  const end = addr + len;
  const pages = len / 4096;
  // MAP_FIXED over existing VMAs: they go first, as munmap would do it.
  const old = mm.vmas.find(addr);
  let oldAccounted = 0;
  let oldPages = 0;
  if (old !== null && old.start < end) {
    const maxMap = mm.machine.sysctl.maxMapCount;
    if (addr > old.start && end < old.end && mm.mapCount >= maxMap) return -ENOMEM;
    for (let v: Vma | null = old; v !== null && v.start < end; v = v.next) {
      const n = (Math.min(v.end, end) - Math.max(v.start, addr)) / 4096;
      oldPages += n;
      if (v.flags & VM_ACCOUNT) oldAccounted += n;
    }
  }
  // __mmap_setup(): "Check against address space limit" (RLIMIT_AS, RLIMIT_DATA).
  if (!mayExpandVm(mm, flags, pages - oldPages)) return -ENOMEM;
  // Private writable mappings are accounted (accountable_mapping());
  // hugetlb files are not (is_file_hugepages(): FOP_HUGE_PAGES).
  if (req.file === null || !(req.file.fop.fopFlags & FOP_HUGE_PAGES)) {
    if ((flags % 2 ** 32 & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) {
      const charged = pages - oldAccounted;
      if (charged > 0 && !vmEnoughMemory(mm, charged)) return -ENOMEM;
      flags = set(flags, VM_ACCOUNT);
    }
  }
  if (old !== null && old.start < end) {
    const err = doMunmap(mm, addr, end);
    if (err) return err;
  }
  let file = req.file;
  let pgoff = req.pgoff;
  let ops: VmOperations | null = null;
  let priv: unknown = null;
  // Shared anonymous memory is a shmem file (shmem_zero_setup()).
  if (file === null && (flags & VM_SHARED || flags & VM_MAYSHARE)) {
    const shm = shmemZeroSetup(mm, len, flags);
    if (typeof shm === "number") return shm;
    file = shm;
    pgoff = 0;
    ops = SHMEM_VM_OPS; // shmem_anon_vm_ops
    // shmem accounts the object itself: the VMA gets no VM_ACCOUNT (`ac`),
    // checked on 6.18.44 (VmFlags: rd wr sh mr mw me ms).
  } else if (file !== null && file.fop.mmapPrepare !== undefined) {
    // __mmap_region(): call_mmap_prepare() before the VMA exists.
    const desc: VmAreaDesc = { start: addr, end, pgoff, file, vmFlags: flags, vmOps: null, priv };
    const err = file.fop.mmapPrepare(desc);
    // The aborted mapping leaves what MAP_FIXED unmapped unmapped
    // (vms_abort_munmap_vmas()); checked on 6.18.44 (M2h3).
    if (err) return err;
    flags = desc.vmFlags;
    ops = desc.vmOps;
    priv = desc.priv;
  }
  const prev = mm.vmas.findPrev(addr);
  const next = prev === null ? mm.vmas.first : prev.next;
  let vma: Vma | null = null;
  if (file === req.file) {
    vma = mergeNewRange(mm, prev, next, addr, end, {
      flags,
      file,
      pgoff,
      anonVma: null,
      uffd: null,
      anonName: null,
    });
  }
  if (vma === null) {
    vma = new Vma(mm, addr, end, flags, pgoff, file);
    vma.ops = ops;
    vma.priv = priv;
    // __mmap_new_file_vma(): a driver still on ->mmap sets up the VMA itself.
    if (file !== null && file === req.file && file.fop.mmap !== undefined) {
      const err = file.fop.mmap(file, vma);
      if (err) return err;
    }
    vmaLink(mm, vma);
  }
  // mm/vma.c __mmap_complete(): a VMA !vma_supports_mlock() (special,
  // droppable, DAX, hugetlb) drops VM_LOCKED even under mlockall(MCL_FUTURE);
  // checked on 6.18: a MAP_DROPPABLE mapping shows no `lo` and Locked: 0 kB.
  if (any(vma.flags, VM_LOCKED) && !supportsMlock(vma)) {
    vma.flags = clear(vma.flags, VM_LOCKED_MASK);
  }
  return addr;
}

/**
 * mmap(addr, len, prot, flags, fd, off). Returns the address or -errno.
 * Arguments are u64 registers (bigint); int arguments are truncated to s32.
 */
export function sysMmap(
  p: Process,
  addrArg: bigint | number,
  lenArg: bigint | number,
  protArg: bigint | number,
  flagsArg: bigint | number,
  fdArg: bigint | number,
  offArg: bigint | number,
): number {
  const mm = p.mm;
  const m = mm.machine;
  // Plain integers below 2^48 (the usual case) are checked in number
  // arithmetic, where nothing below can wrap; anything else as a u64.
  const an = smallU64(addrArg), ln = smallU64(lenArg), on = smallU64(offArg);
  const fast = an >= 0 && ln >= 0 && on >= 0;
  const addr0 = fast ? 0n : u64(addrArg), len0 = fast ? 0n : u64(lenArg);
  const off = fast ? 0n : u64(offArg);
  const prot = s32(protArg);
  let flags = s32(flagsArg) >>> 0;
  const fd = s32(fdArg);
  // 1. SYSCALL_DEFINE6(mmap): the offset must be page aligned.
  if (fast ? on % 4096 !== 0 : (off & 0xfffn) !== 0n) return -EINVAL;
  let pgoff = fast ? on / 4096 : Number(off >> 12n);
  // 2-3. ksys_mmap_pgoff(): the file, MAP_HUGETLB.
  let file: OpenFile | null = null;
  if (!(flags & MAP_ANONYMOUS)) {
    file = p.fds[fd] ?? null;
    if (fd < 0 || file === null) return -EBADF;
    if (flags & MAP_HUGETLB) return -EINVAL;
  } else if (flags & MAP_HUGETLB) {
    const shift = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
    if (shift !== 0 && shift !== 21 && shift !== 30) return -EINVAL;
  }
  // 6. do_mmap()
  if (fast ? ln === 0 : len0 === 0n) return -EINVAL;
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  // The hint or fixed address, and the length; -1: above TASK_SIZE.
  let addrN: number;
  let len: number;
  if (fast) {
    addrN = an;
    if (!(flags & MAP_FIXED)) {
      // round_hint_to_min(), against the effective mmap_min_addr (LSM floor).
      addrN -= addrN % 4096;
      const minAddr = mmapMinAddr(mm);
      if (addrN !== 0 && addrN < minAddr) addrN = Math.ceil(minAddr / 4096) * 4096;
    }
    // 7. len = PAGE_ALIGN(len) 8. pgoff + pages cannot wrap here.
    len = Math.ceil(ln / 4096) * 4096;
    // 9. map_count > max_map_count (strictly greater).
    if (mm.mapCount > m.sysctl.maxMapCount) return -ENOMEM;
    // 10. __get_unmapped_area(): len > TASK_SIZE
    if (len > TASK_SIZE) return -ENOMEM;
    // 12-13. MAP_FIXED checks on a 64-bit address.
    if (flags & MAP_FIXED) {
      if (addrN > TASK_SIZE - len) return -ENOMEM;
      if (addrN % 4096 !== 0) return -EINVAL;
    }
    if (addrN > TASK_SIZE) addrN = -1;
  } else {
    let addrB = addr0;
    if (!(flags & MAP_FIXED)) {
      addrB &= ~0xfffn;
      const minAddr = mmapMinAddr(mm);
      if (addrB !== 0n && addrB < BigInt(minAddr)) {
        addrB = BigInt(Math.ceil(minAddr / 4096) * 4096);
      }
    }
    // 7. len = PAGE_ALIGN(len); wrapped to 0 -> ENOMEM
    const lenB = pageAlignU64(len0);
    if (lenB === 0n) return -ENOMEM;
    // 8. pgoff + pages must not wrap (unsigned long pgoff).
    if (BigInt(pgoff) + (lenB >> 12n) > 0xffffffffffffffffn) return -EOVERFLOW;
    // 9. map_count > max_map_count (strictly greater).
    if (mm.mapCount > m.sysctl.maxMapCount) return -ENOMEM;
    // 10. __get_unmapped_area(): len > TASK_SIZE
    if (lenB > BIG_TASK_SIZE) return -ENOMEM;
    len = Number(lenB);
    // 12-13. MAP_FIXED checks on a 64-bit address.
    if (flags & MAP_FIXED) {
      if (addrB > BIG_TASK_SIZE - lenB) return -ENOMEM;
      if ((addrB & 0xfffn) !== 0n) return -EINVAL;
    }
    addrN = addrB > BIG_TASK_SIZE ? -1 : Number(addrB);
  }
  let vmFlags = calcVmProtBits(prot) | calcVmFlagBits(flags);
  vmFlags = set(vmFlags, mm.defFlags);
  vmFlags = set(vmFlags, VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
  const hint = addrN < 0 ? 0 : addrN;
  const addr = getUnmappedArea(mm, {
    addr: hint,
    len,
    pgoff,
    flags,
    file,
  });
  if (addr < 0) return addr;
  // 14. security_mmap_addr(): below mmap_min_addr needs CAP_SYS_RAWIO.
  if (addr < m.sysctl.mmapMinAddr && !m.config.root) return -EPERM;
  // 15. MAP_FIXED_NOREPLACE must not clobber anything.
  if (flags & MAP_FIXED_NOREPLACE) {
    const v = mm.vmas.find(addr);
    if (v !== null && v.start < addr + len) return -EEXIST;
  }
  // 16-17. MAP_LOCKED: can_do_mlock(); a VM_LOCKED mapping (MAP_LOCKED or
  // MCL_FUTURE) must fit RLIMIT_MEMLOCK (mlock_future_ok()); root passes both.
  if ((flags & MAP_LOCKED) && !m.config.root && mm.rlimits.memlock === 0) return -EPERM;
  if (!mlockFutureOk(mm, vmFlags, len)) return -EAGAIN;
  if (file !== null) {
    const inode = file.inode;
    // 18. file_mmap_ok(): the offset range must fit MAX_LFS_FILESIZE.
    if (!fileMmapOk(inode.kind, pgoff, BigInt(len))) return -EOVERFLOW;
    let flagsMask = LEGACY_MAP_MASK;
    if (file.fop.fopFlags & FOP_MMAP_SYNC) flagsMask |= MAP_SYNC;
    const type = flags & MAP_TYPE;
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      // 19. plain MAP_SHARED drops unknown flags; SHARED_VALIDATE rejects them.
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      if ((flags & ~flagsMask) >>> 0 !== 0) return -EOPNOTSUPP;
      // 20. writable shared mapping of a file not open for writing.
      if ((prot & PROT_WRITE) && !file.writable) return -EACCES;
      vmFlags = set(vmFlags, VM_SHARED | VM_MAYSHARE);
      if (!file.writable) vmFlags = clear(vmFlags, VM_MAYWRITE | VM_SHARED);
    } else if (type !== MAP_PRIVATE) {
      // 27. neither private nor shared.
      return -EINVAL;
    }
    // 23. every file mapping needs read access.
    if (!file.readable) return -EACCES;
    // 24. noexec mounts.
    if (inode.sb.noexec) {
      if (vmFlags & VM_EXEC) return -EPERM;
      vmFlags = clear(vmFlags, VM_MAYEXEC);
    }
    // 25. !can_mmap_file(): directories (ext4_dir_operations) and the
    // terminal (tty_fops) have no ->mmap; checked on 6.18.44 (a directory fd: ENODEV).
    if (file.fop.mmap === undefined && file.fop.mmapPrepare === undefined) return -ENODEV;
    // 26. no growsdown file mappings.
    if (vmFlags & VM_GROWSDOWN) return -EINVAL;
  } else {
    const type = flags & MAP_TYPE;
    if (type === MAP_SHARED) {
      // 29. shared anonymous memory cannot grow down.
      if (vmFlags & VM_GROWSDOWN) return -EINVAL;
      pgoff = 0;
      vmFlags = set(vmFlags, VM_SHARED | VM_MAYSHARE);
    } else if (type === MAP_DROPPABLE || type === MAP_PRIVATE) {
      if (type === MAP_DROPPABLE) {
        // 30. a locked, huge or stack area makes no sense to drop.
        if (flags & (MAP_LOCKED | MAP_HUGETLB)) return -EINVAL;
        if (vmFlags & VM_GROWSDOWN) return -EINVAL;
        vmFlags = set(vmFlags, combine(VM_DROPPABLE, VM_NORESERVE, VM_WIPEONFORK, VM_DONTDUMP));
      }
      pgoff = addr / 4096;
    } else {
      // 31. MAP_SHARED_VALIDATE and "no type" are invalid for anonymous memory.
      return -EINVAL;
    }
  }
  if ((flags & MAP_NORESERVE) && m.sysctl.overcommitMemory !== 2) {
    vmFlags = set(vmFlags, VM_NORESERVE);
  }
  if (file === null && (flags & MAP_HUGETLB)) {
    // No hugetlb pages are reserved on this machine (nr_hugepages = 0).
    return -ENOMEM;
  }
  // 36. The filesystem's ->mmap_prepare runs in mmapRegion() (ext4 refuses
  // VM_SYNC on a non-DAX inode there, after MAP_FIXED's unmap).
  const r = mmapRegion(mm, { addr, len, flags: vmFlags, pgoff, file });
  if (r < 0) return r;
  if ((vmFlags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE) {
    // vm_mmap_pgoff() -> mm_populate(): errors are ignored (in steps where asked: populate.ts).
    return populateThen(p, addr, addr + len, true, (a, b) => populateOrGiveUp(p, a, b), () => r);
  }
  return r;
}
