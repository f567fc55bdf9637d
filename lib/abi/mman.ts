/**
 * `<sys/mman.h>` and friends for x86-64: the constants user code passes to
 * mmap, mprotect, mremap, madvise, mlock, msync and open. Values follow
 * `include/uapi/asm-generic/mman-common.h`, `arch/x86/include/uapi/asm/mman.h`
 * and `include/uapi/asm-generic/fcntl.h`.
 * @module
 */

/** No access: any touch faults (SIGSEGV, SEGV_ACCERR). */
export const PROT_NONE = 0x0;
/** Pages may be read. */
export const PROT_READ = 0x1;
/** Pages may be written (x86-64 implies read). */
export const PROT_WRITE = 0x2;
/** Pages may be executed. */
export const PROT_EXEC = 0x4;
/** Pages may be used for atomic ops (accepted, no effect on x86-64). */
export const PROT_SEM = 0x8;
/**
 * Option 1 of the 2014 MADV_USERFAULT thread ("set VM_USERFAULT with
 * mprotect(PROT_USERFAULT)"), never written: the thread gives no value, so
 * 0x40 is mmlab's own (the first mman-common.h bit not reserved for an
 * arch, as 0x10 and 0x20 are). Only under `uffd.rfcDesign =
 * mprotect+userfaultfd` (lib/mm/mprotect.ts).
 */
export const PROT_USERFAULT = 0x40;
/** mprotect: extend the change down to the start of a VM_GROWSDOWN VMA. */
export const PROT_GROWSDOWN = 0x01000000;
/** mprotect: extend the change up to the end of a VM_GROWSUP VMA (none on x86-64: EINVAL). */
export const PROT_GROWSUP = 0x02000000;

/** Writes are shared with other mappers and reach the file. */
export const MAP_SHARED = 0x01;
/** Copy-on-write mapping: writes stay private. */
export const MAP_PRIVATE = 0x02;
/** MAP_SHARED that fails with EOPNOTSUPP on unknown flags. */
export const MAP_SHARED_VALIDATE = 0x03;
/** Private anonymous memory the kernel may free under pressure (reads zero after). */
export const MAP_DROPPABLE = 0x08;
/** Mask of the mapping type bits (SHARED, PRIVATE, SHARED_VALIDATE, DROPPABLE). */
export const MAP_TYPE = 0x0f;
/** Map exactly at addr, unmapping whatever was there. */
export const MAP_FIXED = 0x10;
/** No file: zero-filled memory; fd is ignored. */
export const MAP_ANONYMOUS = 0x20;
/** Place the mapping in the first 2 GiB (x86-64 only). */
export const MAP_32BIT = 0x40;
/** Place the mapping above 4 GiB (x86-64 only). */
export const MAP_ABOVE4G = 0x80;
/** A stack-like VMA that grows down on faults below it (VM_GROWSDOWN). */
export const MAP_GROWSDOWN = 0x0100;
/** Ignored (historically ETXTBSY on writers). */
export const MAP_DENYWRITE = 0x0800;
/** Ignored. */
export const MAP_EXECUTABLE = 0x1000;
/** Lock the pages like mlock (VM_LOCKED), populating them; failures are not reported. */
export const MAP_LOCKED = 0x2000;
/** Do not reserve swap/commit for the mapping (VM_NORESERVE, unless overcommit is strict). */
export const MAP_NORESERVE = 0x4000;
/** Prefault the pages (read ahead for files, write-fault private ones). */
export const MAP_POPULATE = 0x8000;
/** With MAP_POPULATE: skip the prefault. */
export const MAP_NONBLOCK = 0x10000;
/** A thread stack: no THP for the VMA (VM_NOHUGEPAGE). */
export const MAP_STACK = 0x20000;
/** Back the mapping with hugetlbfs pages. */
export const MAP_HUGETLB = 0x40000;
/** With MAP_SHARED_VALIDATE on a DAX file: page tables only map blocks whose metadata is durable. */
export const MAP_SYNC = 0x80000;
/** Map exactly at addr, but EEXIST if anything is mapped there. */
export const MAP_FIXED_NOREPLACE = 0x100000;
/** Skip zeroing (only with CONFIG_MMAP_ALLOW_UNINITIALIZED; ignored otherwise). */
export const MAP_UNINITIALIZED = 0x4000000;
/** Shift of the hugetlb page-size log2 field in the flags. */
export const MAP_HUGE_SHIFT = 26;
/** Mask of the hugetlb page-size field (after shifting). */
export const MAP_HUGE_MASK = 0x3f;
/** MAP_HUGETLB with 2 MiB pages. */
export const MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
/** MAP_HUGETLB with 1 GiB pages. */
export const MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;

/**
 * include/linux/mman.h: LEGACY_MAP_MASK, the flags MAP_SHARED_VALIDATE accepts.
 * MAP_FIXED_NOREPLACE is not in it (so SHARED_VALIDATE|FIXED_NOREPLACE is
 * EOPNOTSUPP, linux-mm.md §11.6).
 */
export const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |
  MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |
  MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT |
  MAP_ABOVE4G | MAP_HUGE_2MB | MAP_HUGE_1GB;

/** mremap may move the mapping if it cannot grow in place. */
export const MREMAP_MAYMOVE = 1;
/** mremap moves the mapping to new_address (needs MREMAP_MAYMOVE). */
export const MREMAP_FIXED = 2;
/** mremap moves the pages but leaves the old range mapped (empty). */
export const MREMAP_DONTUNMAP = 4;

/** No special treatment (default read-ahead). */
export const MADV_NORMAL = 0;
/** Expect random access: no read-ahead (VM_RAND_READ). */
export const MADV_RANDOM = 1;
/** Expect sequential access: aggressive read-ahead (VM_SEQ_READ). */
export const MADV_SEQUENTIAL = 2;
/** Read the range in ahead of use. */
export const MADV_WILLNEED = 3;
/** Zap the range: private pages read back as zero or the file's data. */
export const MADV_DONTNEED = 4;
/** Private anonymous pages may be freed lazily unless written again. */
export const MADV_FREE = 8;
/** Free the range and its backing store (punch a hole in shmem/tmpfs). */
export const MADV_REMOVE = 9;
/** Do not copy the VMA into a child on fork (VM_DONTCOPY). */
export const MADV_DONTFORK = 10;
/** Undo MADV_DONTFORK. */
export const MADV_DOFORK = 11;
/** Offer the range to KSM (VM_MERGEABLE). */
export const MADV_MERGEABLE = 12;
/** Withdraw the range from KSM. */
export const MADV_UNMERGEABLE = 13;
/** Prefer transparent huge pages (VM_HUGEPAGE). */
export const MADV_HUGEPAGE = 14;
/** Never use transparent huge pages (VM_NOHUGEPAGE). */
export const MADV_NOHUGEPAGE = 15;
/** Leave the range out of core dumps (VM_DONTDUMP). */
export const MADV_DONTDUMP = 16;
/** Undo MADV_DONTDUMP. */
export const MADV_DODUMP = 17;
/** The child of a fork sees the range zero-filled (VM_WIPEONFORK). */
export const MADV_WIPEONFORK = 18;
/** Undo MADV_WIPEONFORK. */
export const MADV_KEEPONFORK = 19;
/** Deactivate the pages: first to reclaim. */
export const MADV_COLD = 20;
/** Reclaim the pages now. */
export const MADV_PAGEOUT = 21;
/** Prefault the range readable, as read faults would. */
export const MADV_POPULATE_READ = 22;
/** Prefault the range writable, as write faults would (breaks COW). */
export const MADV_POPULATE_WRITE = 23;
/** MADV_DONTNEED that also applies to VM_LOCKED ranges. */
export const MADV_DONTNEED_LOCKED = 24;
/** Collapse the range into transparent huge pages synchronously. */
export const MADV_COLLAPSE = 25;
/** Poison the pages as a memory failure would (CAP_SYS_ADMIN). */
export const MADV_HWPOISON = 100;
/** Migrate the data off the pages and take them offline (CAP_SYS_ADMIN). */
export const MADV_SOFT_OFFLINE = 101;
/** Install guard markers: any access raises SIGSEGV. */
export const MADV_GUARD_INSTALL = 102;
/** Remove guard markers. */
export const MADV_GUARD_REMOVE = 103;
/**
 * Andrea Arcangeli's 2014 RFC ("[PATCH 08/17] mm: madvise MADV_USERFAULT"),
 * never merged. It used advice 18/19, which Linux later gave to
 * MADV_WIPEONFORK/KEEPONFORK; mmlab accepts the names only under the
 * `uffd.madv18 = userfault-rfc` policy (lib/policy.ts, lib/mm/madvise.ts).
 */
export const MADV_USERFAULT = 18;
/** The RFC's undo of MADV_USERFAULT (advice 19), under the same policy. */
export const MADV_NOUSERFAULT = 19;
/**
 * The same RFC's remap_anon_pages(2) flag: a hole in the source range is
 * skipped instead of ENOENT. Only under `uffd.remap = remap_anon_pages-rfc`.
 */
export const RAP_ALLOW_SRC_HOLES = 1;

/** mlock2: lock pages as they fault in, not at once (VM_LOCKONFAULT). */
export const MLOCK_ONFAULT = 0x01;
/** mlockall: lock every page mapped now. */
export const MCL_CURRENT = 1;
/** mlockall: lock every future mapping (mm->def_flags VM_LOCKED). */
export const MCL_FUTURE = 2;
/** mlockall with MCL_CURRENT/MCL_FUTURE: lock pages only as they fault in. */
export const MCL_ONFAULT = 4;

/** msync: schedule writeback and return (a no-op since Linux 2.6.19). */
export const MS_ASYNC = 1;
/** msync: ask for other mappings to be invalidated (EBUSY on locked pages). */
export const MS_INVALIDATE = 2;
/** msync: write the dirty pages back and wait. */
export const MS_SYNC = 4;

/** Open for reading only. */
export const O_RDONLY = 0o0;
/** Open for writing only. */
export const O_WRONLY = 0o1;
/** Open for reading and writing. */
export const O_RDWR = 0o2;
/** Mask of the access mode bits. */
export const O_ACCMODE = 0o3;
/** Create the file if it does not exist. */
export const O_CREAT = 0o100;
/** With O_CREAT: EEXIST if the file exists. */
export const O_EXCL = 0o200;
/** Truncate a regular file to 0 bytes on open. */
export const O_TRUNC = 0o1000;
/** Each write goes to the end of the file. */
export const O_APPEND = 0o2000;
/** Calls that would sleep fail with EAGAIN instead. */
export const O_NONBLOCK = 0o4000;
/** Direct I/O: the data moves between the device and the user pages (x86-64 value). */
export const O_DIRECT = 0o40000;
/** Close the descriptor on execve (FD_CLOEXEC). */
export const O_CLOEXEC = 0o2000000;

/** include/uapi/asm-generic/fcntl.h, linux/fcntl.h: the fcntl(2) commands mmlab has. */
export const F_SETSIG = 10;
/** fcntl: read the F_SETSIG signal. */
export const F_GETSIG = 11;
/** fcntl: take (F_RDLCK, F_WRLCK) or release (F_UNLCK) a lease. */
export const F_SETLEASE = 1024;
/** fcntl: the lease type held on the file. */
export const F_GETLEASE = 1025;
/** Lease (and lock) types. */
export const F_RDLCK = 0;
/** A write lease or lock. */
export const F_WRLCK = 1;
/** No lease or lock; releases one. */
export const F_UNLCK = 2;
/**
 * Ira Weiny's 2019 RFC ("fs/locks: Export F_LAYOUT lease to user space"):
 * a layout lease, or'ed into F_SETLEASE's argument; only under
 * dax.layoutLease=rfc-2019 (never in the kernel's headers).
 */
export const F_LAYOUT = 16;

/** fallocate: allocate without changing the file size. */
export const FALLOC_FL_KEEP_SIZE = 0x01;
/** fallocate: free the range's blocks (needs KEEP_SIZE); reads return zeros. */
export const FALLOC_FL_PUNCH_HOLE = 0x02;

/** include/uapi/linux/fs.h: lseek(2)'s whence. */
export const SEEK_SET = 0;
/** Offset from the current position. */
export const SEEK_CUR = 1;
/** Offset from the end of the file. */
export const SEEK_END = 2;
/** The next offset at or after that holds data. */
export const SEEK_DATA = 3;
/** The next offset at or after that is in a hole (or EOF). */
export const SEEK_HOLE = 4;
