# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

userfaultfd's other two modes, as Linux 6.18 has them. MODE_WP: UFFDIO_WRITEPROTECT
sets the uffd-wp bit on the range's PTEs (pagemap bit 57); a read goes through,
a store waits in handle_userfault with UFFD_PAGEFAULT_FLAG_WRITE|_WP until the
handler clears the protection (which wakes it). MODE_MINOR, on shmem only: a
page the page cache has but the mapping does not map faults with
UFFD_PAGEFAULT_FLAG_MINOR, and UFFDIO_CONTINUE maps the cached page as it is
(what a live-migration target does with memory another process filled);
a page the cache lacks is EFAULT for CONTINUE. UFFDIO_POISON marks pages
whose access is SIGBUS (BUS_ADRERR: BUS_MCEERR_AR needs CONFIG_MEMORY_FAILURE).
read(uffd) prints the struct uffd_msg decoded.
Replay it with: deno task replay scripts/examples/userfaultfd-wp-minor.mm

  [1] mm> uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 3
  [1] mm> ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_THREAD_ID})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> memset(a, 0x41, 8K)
  = 8192
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
  = 0 {range={start=0x7f0000000000, len=0x4000}, mode=UFFDIO_REGISTER_MODE_WP, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_WRITEPROTECT|1<<_UFFDIO_POISON}
  [1] mm> ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
  = 0
  [1] mm> pagemap a 16K
  7f0000000000 8300000000001000 present exclusive uffd-wp pfn=0x1000
  7f0000001000 8300000000001001 present exclusive uffd-wp pfn=0x1001
  (2 of 4 pages read 0: not mapped)
  [1] mm> peek(a+4K)
  = 65 (0x41)
  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t poke(a+4K, 0x42)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7f0000001000)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   handle_userfault     prog
  [1] mm> read(uffd, a+12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=UFFD_PAGEFAULT_FLAG_WRITE|UFFD_PAGEFAULT_FLAG_WP, address=0x7f0000001000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+4K, len=4K}, mode=0})
  = 0
  [pid 2] <... poke resumed> = 1
  [1] mm> peek(a+4K)
  = 66 (0x42)
  [1] mm> m = memfd_create("guest", 0)
  = 4
  [1] mm> ftruncate(m, 8K)
  = 0
  [1] mm> pwrite(m, "filled by another process", 25, 0)
  = 25
  [1] mm> s = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, m, 0)
  = 0x7ffff7fbe000
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=8K}, mode=UFFDIO_REGISTER_MODE_MINOR})
  = 0 {range={start=0x7ffff7fbe000, len=0x2000}, mode=UFFDIO_REGISTER_MODE_MINOR, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_CONTINUE|1<<_UFFDIO_POISON}
  [1] mm> smaps s
  7ffff7fbe000-7ffff7fc0000 rw-s 00000000 00:01 1024                       /memfd:guest (deleted)
  Size:                  8 kB
  KernelPageSize:        4 kB
  MMUPageSize:           4 kB
  Rss:                   0 kB
  Pss:                   0 kB
  Pss_Dirty:             0 kB
  Shared_Clean:          0 kB
  Shared_Dirty:          0 kB
  Private_Clean:         0 kB
  Private_Dirty:         0 kB
  Referenced:            0 kB
  Anonymous:             0 kB
  KSM:                   0 kB
  LazyFree:              0 kB
  AnonHugePages:         0 kB
  ShmemPmdMapped:        0 kB
  FilePmdMapped:         0 kB
  Shared_Hugetlb:        0 kB
  Private_Hugetlb:       0 kB
  Swap:                  0 kB
  SwapPss:               0 kB
  Locked:                0 kB
  THPeligible:           0
  VmFlags: rd wr sh mr mw me ms ui 
  [1] mm> @t x = peek(s)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fbe000)
  [1] mm> read(uffd, a+12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=UFFD_PAGEFAULT_FLAG_MINOR, address=0x7ffff7fbe000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_CONTINUE, {range={start=s, len=4K}, mode=0})
  = 0 {range={start=0x7ffff7fbe000, len=0x1000}, mode=0, mapped=4096}
  [pid 2] <... peek resumed> = 102 (0x66)
  [1] mm> ioctl(uffd, UFFDIO_CONTINUE, {range={start=s+4K, len=4K}, mode=0})
  = -1 EFAULT (Bad address)
  [1] mm> ioctl(uffd, UFFDIO_POISON, {range={start=s+4K, len=4K}, mode=0})
  = 0 {range={start=0x7ffff7fbf000, len=0x1000}, mode=0, updated=4096}
  [1] mm> peek(s+4K)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbf000} ---
