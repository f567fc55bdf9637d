/**
 * `<sys/mman.h>` and friends for x86-64: the constants user code passes to
 * mmap, mprotect, mremap, madvise, mlock, msync and open. Values follow
 * `include/uapi/asm-generic/mman-common.h`, `arch/x86/include/uapi/asm/mman.h`
 * and `include/uapi/asm-generic/fcntl.h`.
 * @module
 */

export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
/**
 * Option 1 of the 2014 MADV_USERFAULT thread ("set VM_USERFAULT with
 * mprotect(PROT_USERFAULT)"), never written: the thread gives no value, so
 * 0x40 is mmlab's own (the first mman-common.h bit not reserved for an
 * arch, as 0x10 and 0x20 are). Only under `uffd.rfcDesign =
 * mprotect+userfaultfd` (lib/mm/mprotect.ts).
 */
export const PROT_USERFAULT = 0x40;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_DROPPABLE = 0x08;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_32BIT = 0x40;
export const MAP_ABOVE4G = 0x80;
export const MAP_GROWSDOWN = 0x0100;
export const MAP_DENYWRITE = 0x0800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000;
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;
export const MAP_HUGE_SHIFT = 26;
export const MAP_HUGE_MASK = 0x3f;
export const MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
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

export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;
export const MADV_HWPOISON = 100;
export const MADV_SOFT_OFFLINE = 101;
export const MADV_GUARD_INSTALL = 102;
export const MADV_GUARD_REMOVE = 103;
/**
 * Andrea Arcangeli's 2014 RFC ("[PATCH 08/17] mm: madvise MADV_USERFAULT"),
 * never merged. It used advice 18/19, which Linux later gave to
 * MADV_WIPEONFORK/KEEPONFORK; mmlab accepts the names only under the
 * `uffd.madv18 = userfault-rfc` policy (lib/policy.ts, lib/mm/madvise.ts).
 */
export const MADV_USERFAULT = 18;
export const MADV_NOUSERFAULT = 19;
/**
 * The same RFC's remap_anon_pages(2) flag: a hole in the source range is
 * skipped instead of ENOENT. Only under `uffd.remap = remap_anon_pages-rfc`.
 */
export const RAP_ALLOW_SRC_HOLES = 1;

export const MLOCK_ONFAULT = 0x01;
export const MCL_CURRENT = 1;
export const MCL_FUTURE = 2;
export const MCL_ONFAULT = 4;

export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
/** Direct I/O: the data moves between the device and the user pages (x86-64 value). */
export const O_DIRECT = 0o40000;
export const O_CLOEXEC = 0o2000000;

/** include/uapi/asm-generic/fcntl.h, linux/fcntl.h: the fcntl(2) commands mmlab has. */
export const F_SETSIG = 10;
export const F_GETSIG = 11;
export const F_SETLEASE = 1024;
export const F_GETLEASE = 1025;
/** Lease (and lock) types. */
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
/**
 * Ira Weiny's 2019 RFC ("fs/locks: Export F_LAYOUT lease to user space"):
 * a layout lease, or'ed into F_SETLEASE's argument; only under
 * dax.layoutLease=rfc-2019 (never in the kernel's headers).
 */
export const F_LAYOUT = 16;

export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;

/** include/uapi/linux/fs.h: lseek(2)'s whence. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
