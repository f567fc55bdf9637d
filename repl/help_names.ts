/**
 * `help` on names that are not commands: errnos (`help EFAULT`), the
 * smaps VmFlags mnemonics (`help pf`), and where a constant comes from
 * (`help MAP_SHARED`). Each answer names the kernel source that defines
 * it and the man page section that documents it, so a reader can check
 * mmlab against both.
 * @module
 */

import { errnoByName, errnoName, strerror, vmFlags } from "../mod.ts";

/** Where a name is defined and documented. */
export interface NameSource {
  /** The kernel file (and function, for VmFlags) it follows. */
  source: string;
  /** The man page, as `name(section)`. */
  man: string;
}

/** The smaps mnemonics: bit, VM_* name, what it means. */
const VM_FLAG_HELP: ReadonlyArray<readonly [string, string, string]> = [
  ["rd", "VM_READ", "the mapping can be read"],
  ["wr", "VM_WRITE", "the mapping can be written"],
  ["ex", "VM_EXEC", "instructions can be fetched from it"],
  ["sh", "VM_SHARED", "stores reach the file or object: other mappers see them"],
  ["mr", "VM_MAYREAD", "mprotect may add PROT_READ"],
  ["mw", "VM_MAYWRITE", "mprotect may add PROT_WRITE"],
  ["me", "VM_MAYEXEC", "mprotect may add PROT_EXEC"],
  ["ms", "VM_MAYSHARE", "a MAP_SHARED mapping (even one that cannot be written)"],
  ["gd", "VM_GROWSDOWN", "a stack that grows down on a fault below it"],
  ["um", "VM_UFFD_MISSING", "userfaultfd reports missing pages (UFFDIO_REGISTER_MODE_MISSING)"],
  ["pf", "VM_PFNMAP", "raw page frames without struct page behind them (remap_pfn_range)"],
  ["gu", "VM_MAYBE_GUARD", "may hold guard regions (MADV_GUARD_INSTALL)"],
  ["uw", "VM_UFFD_WP", "userfaultfd reports writes to protected pages (UFFDIO_REGISTER_MODE_WP)"],
  ["lo", "VM_LOCKED", "pages are locked in memory (mlock, MAP_LOCKED)"],
  ["io", "VM_IO", "device memory (MMIO): no core dump, no get_user_pages"],
  ["sr", "VM_SEQ_READ", "sequential reads expected (MADV_SEQUENTIAL)"],
  ["rr", "VM_RAND_READ", "random reads expected (MADV_RANDOM)"],
  ["dc", "VM_DONTCOPY", "not copied into a child at fork (MADV_DONTFORK)"],
  ["de", "VM_DONTEXPAND", "mremap cannot grow it"],
  ["lf", "VM_LOCKONFAULT", "pages are locked as they fault in (MLOCK_ONFAULT)"],
  ["ac", "VM_ACCOUNT", "counted against the overcommit limit (Committed_AS)"],
  ["nr", "VM_NORESERVE", "no swap space reserved (MAP_NORESERVE)"],
  ["ht", "VM_HUGETLB", "a hugetlbfs mapping"],
  ["sf", "VM_SYNC", "synchronous page faults (MAP_SYNC, DAX)"],
  ["ar", "VM_ARCH_1", "architecture-specific (x86: VM_PAT, PAT memory type set)"],
  ["wf", "VM_WIPEONFORK", "the child sees zeroes after fork (MADV_WIPEONFORK)"],
  ["dd", "VM_DONTDUMP", "left out of core dumps (MADV_DONTDUMP)"],
  ["sd", "VM_SOFTDIRTY", "soft-dirty tracking: written since clear_refs 4"],
  ["mm", "VM_MIXEDMAP", "mixes struct-page and raw frames (vm_insert_page, vmf_insert_mixed)"],
  ["hg", "VM_HUGEPAGE", "transparent huge pages advised (MADV_HUGEPAGE)"],
  ["nh", "VM_NOHUGEPAGE", "no transparent huge pages (MADV_NOHUGEPAGE)"],
  ["mg", "VM_MERGEABLE", "KSM may merge its pages (MADV_MERGEABLE)"],
  ["uf", "VM_USERFAULT", "the 2014 RFC's MADV_USERFAULT (never merged; policy uffd.madv18)"],
  ["ss", "VM_SHADOW_STACK", "a shadow stack (x86 CET)"],
  ["dp", "VM_DROPPABLE", "the kernel may drop its pages under pressure (MAP_DROPPABLE)"],
  ["ui", "VM_UFFD_MINOR", "userfaultfd reports minor faults (UFFDIO_REGISTER_MODE_MINOR)"],
  ["sl", "VM_SEALED", "sealed against changes (mseal)"],
];

/** Every mnemonic smaps can print, with its VM_* name and meaning. */
export const VM_FLAG_NAMES: ReadonlyMap<string, { flag: string; meaning: string }> = new Map(
  VM_FLAG_HELP.map(([m, flag, meaning]) => [m, { flag, meaning }]),
);

const SMAPS_SOURCE: NameSource = {
  source: "fs/proc/task_mmu.c show_smap_vma_flags",
  man: "proc_pid_smaps(5)",
};

/** `help pf`: the mnemonic, its bit, its meaning, where it comes from. */
export function vmFlagHelp(mnemonic: string): string[] | undefined {
  const h = VM_FLAG_NAMES.get(mnemonic);
  if (h === undefined) return undefined;
  const value = (vmFlags as unknown as Record<string, number>)[h.flag];
  const bit = Math.log2(value);
  return [
    `${mnemonic}: ${h.flag} (bit ${bit}), ${h.meaning} — ${SMAPS_SOURCE.source}; ${SMAPS_SOURCE.man}`,
    `  defined in include/linux/mm.h; smaps prints it on the VmFlags: line`,
  ];
}

/** `help EFAULT`: the number, strerror's text, where it is defined. */
export function errnoHelp(name: string): string[] | undefined {
  const n = errnoByName(name);
  if (n === undefined) return undefined;
  const header = n <= 34
    ? "include/uapi/asm-generic/errno-base.h"
    : "include/uapi/asm-generic/errno.h";
  return [
    `${name} ${n} ${strerror(n)} — ${header}; errno(3)`,
    `  a failed call prints = -1 ${name} (${strerror(n)}); errno holds ${n} afterwards`,
  ];
}

/** Every errno name mmlab knows (and can return). */
export function errnoNames(): string[] {
  const out: string[] = [];
  for (let n = 1; n < 4096; n++) {
    const name = errnoName(n);
    if (name !== `E${n}`) out.push(name);
  }
  return out;
}

/** Names whose family header is not their prefix's usual one. */
const SOURCE_OF_NAME: Readonly<Record<string, string>> = {
  MAP_SHARED: "include/uapi/linux/mman.h",
  MAP_PRIVATE: "include/uapi/linux/mman.h",
  MAP_SHARED_VALIDATE: "include/uapi/linux/mman.h",
  MAP_DROPPABLE: "include/uapi/linux/mman.h",
  MAP_GROWSDOWN: "include/uapi/asm-generic/mman.h",
  MAP_DENYWRITE: "include/uapi/asm-generic/mman.h",
  MAP_EXECUTABLE: "include/uapi/asm-generic/mman.h",
  MAP_LOCKED: "include/uapi/asm-generic/mman.h",
  MAP_NORESERVE: "include/uapi/asm-generic/mman.h",
  MAP_HUGE_2MB: "include/uapi/linux/mman.h",
  MAP_HUGE_1GB: "include/uapi/linux/mman.h",
  MAP_ANON: "glibc bits/mman-linux.h (another name for MAP_ANONYMOUS)",
  MAP_32BIT: "arch/x86/include/uapi/asm/mman.h",
  MAP_ABOVE4G: "arch/x86/include/uapi/asm/mman.h",
  NULL: "include/linux/stddef.h",
};

/** By prefix, longest first: the header and the man page. */
const SOURCE_OF_FAMILY: ReadonlyArray<readonly [string, string, string]> = [
  ["UFFDIO_REGISTER_MODE_", "include/uapi/linux/userfaultfd.h", "ioctl_userfaultfd(2)"],
  ["UFFDIO_", "include/uapi/linux/userfaultfd.h", "ioctl_userfaultfd(2)"],
  ["UFFD_", "include/uapi/linux/userfaultfd.h", "userfaultfd(2)"],
  ["USERFAULTFD_IOC", "include/uapi/linux/userfaultfd.h", "userfaultfd(2)"],
  ["PROT_", "include/uapi/asm-generic/mman-common.h", "mmap(2)"],
  ["MAP_", "include/uapi/asm-generic/mman-common.h", "mmap(2)"],
  ["MADV_", "include/uapi/asm-generic/mman-common.h", "madvise(2)"],
  ["MREMAP_", "include/uapi/linux/mman.h", "mremap(2)"],
  ["MLOCK_", "include/uapi/asm-generic/mman-common.h", "mlock(2)"],
  ["MCL_", "include/uapi/asm-generic/mman.h", "mlock(2)"],
  ["MS_", "include/uapi/asm-generic/mman-common.h", "msync(2)"],
  ["O_", "include/uapi/asm-generic/fcntl.h", "open(2)"],
  ["F_SEAL_", "include/uapi/linux/fcntl.h", "fcntl(2)"],
  ["F_", "include/uapi/asm-generic/fcntl.h", "fcntl(2)"],
  ["FALLOC_FL_", "include/uapi/linux/falloc.h", "fallocate(2)"],
  ["SEEK_", "include/uapi/linux/fs.h", "lseek(2)"],
  ["MFD_", "include/uapi/linux/memfd.h", "memfd_create(2)"],
  ["SIG_", "include/uapi/asm-generic/signal-defs.h", "sigaction(2)"],
  ["SIG", "arch/x86/include/uapi/asm/signal.h", "signal(7)"],
  ["CLONE_", "include/uapi/linux/sched.h", "clone(2)"],
  ["FOLL_", "include/linux/mm_types.h", "(kernel-internal: no man page)"],
  ["HMM_PFN_", "include/linux/hmm.h", "(kernel-internal: no man page)"],
  ["RLIMIT_", "include/uapi/asm-generic/resource.h", "getrlimit(2)"],
  ["RLIM", "include/uapi/linux/resource.h", "getrlimit(2)"],
  ["IBV_ACCESS_", "rdma-core libibverbs/verbs.h", "ibv_reg_mr(3)"],
  ["FS_IOC_", "include/uapi/linux/fs.h", "ioctl_iflags(2)"],
  ["FS_", "include/uapi/linux/fs.h", "ioctl_iflags(2)"],
  ["FIO", "include/uapi/asm-generic/ioctls.h", "ioctl(2)"],
  ["FIGETBSZ", "include/uapi/linux/fs.h", "ioctl(2)"],
  ["TC", "include/uapi/asm-generic/ioctls.h", "ioctl_tty(2)"],
  ["EFD_", "include/uapi/linux/eventfd.h", "eventfd(2)"],
  ["VFIO_", "include/uapi/linux/vfio.h", "(no man page: Documentation/driver-api/vfio.rst)"],
  ["RAP_", "the 2014 remap_anon_pages RFC (never merged)", "(no man page)"],
];

/** Where a constant is defined and documented, when mmlab knows. */
export function constantSource(name: string): NameSource | undefined {
  const fam = SOURCE_OF_FAMILY.find(([prefix]) => name.startsWith(prefix));
  const header = SOURCE_OF_NAME[name] ?? fam?.[1];
  if (header === undefined) return undefined;
  return { source: header, man: fam?.[2] ?? "(no man page)" };
}
