# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

userfaultfd, as Linux 6.18 has it (fs/userfaultfd.c, mm/userfaultfd.c).
Every ioctl but UFFDIO_API is EINVAL before the handshake; REGISTER splits
the VMA and sets VmFlags um. A missing fault in the range queues a
UFFD_EVENT_PAGEFAULT message (read(uffd) prints the struct uffd_msg) and
its thread waits in handle_userfault; UFFDIO_COPY fills the page and wakes
it, and the access finishes ([pid 2] <... peek resumed>). COPY stops at a
page already there: EEXIST, or EAGAIN with copy= the bytes done. WAKE
without a fill makes the thread fault and wait again. A kernel access
(pread into the range) makes the syscall wait too. close(uffd) unregisters
everything (the VMAs merge back) and the waiters retry as ordinary faults.
Replay it with: deno task replay scripts/examples/userfaultfd.mm

  [1] mm> uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 3
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=0x7f0000000000, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = -1 EINVAL (Invalid argument)
  [1] mm> ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbc000
  [1] mm> b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)
  = 0x7ffff7fbb000
  [1] mm> poke(b, "page from the staging buffer")
  = 28
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff7fbc000, len=0x4000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> smaps a
  7ffff7fbc000-7ffff7fc0000 rw-p 00000000 00:00 0 
  Size:                 16 kB
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
  VmFlags: rd wr mr mw me um ac 
  [1] mm> read(uffd, b+2K, 32)
  = -1 EAGAIN (Resource temporarily unavailable)
  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t x = peek(a+5)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fbc000)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   handle_userfault     prog
  [1] mm> read(uffd, b+2K, 16)
  = -1 EINVAL (Invalid argument)
  [1] mm> read(uffd, b+2K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff7fbc000, feat={ptid=0}}}
  [1] mm> peek(b+2K, 32)
  7ffff7fbb800  12 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
  7ffff7fbb810  00 c0 fb f7 ff 7f 00 00  00 00 00 00 00 00 00 00  |................|
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})
  = 0 {dst=0x7ffff7fbc000, src=0x7ffff7fbb000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... peek resumed> = 102 (0x66)
  [1] mm> x
  = 102 (0x66)
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=8K, mode=0})
  = -1 EEXIST (File exists)
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=a+4K, src=b, len=8K, mode=0})
  = 0 {dst=0x7ffff7fbd000, src=0x7ffff7fbb000, len=0x2000, mode=0, copy=0x2000}
  [1] mm> @t poke(a+12K, "w")
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fbf000)
  [1] mm> ioctl(uffd, UFFDIO_WAKE, {start=a+12K, len=4K})
  = 0
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   handle_userfault     prog
  [1] mm> h = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff6dd0000
  mprotect(0x7ffff6dd1000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff75d0910, parent_tid=0x7ffff75d0910, exit_signal=0, stack=0x7ffff6dd0000, stack_size=0x7fff00, tls=0x7ffff75d0640} => {parent_tid=[3]}, 88) = 3
  [1] mm> fd = open("/tmp/data", O_RDWR|O_CREAT, 0644)
  = 4
  [1] mm> pwrite(fd, "file", 4, 0)
  = 4
  [1] mm> pread(fd, a+12K+1, 4, 0)
  <unfinished ...> (thread 1 sleeps in handle_userfault)
  [1] mm> getpid()
  error at column 1: thread 1 is asleep in handle_userfault; its userfault handler wakes it from another thread (UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_WAKE or close(uffd)); threads lists the threads
  [1] mm> @h close(uffd)
  = 0
  [pid 2] <... poke resumed> = 1
  [pid 1] <... pread resumed> = 4 "file"
  [1] mm> smaps a
  7ffff7fbb000-7ffff7fc2000 rw-p 00000000 00:00 0 
  Size:                 28 kB
  KernelPageSize:        4 kB
  MMUPageSize:           4 kB
  Rss:                  20 kB
  Pss:                  20 kB
  Pss_Dirty:            20 kB
  Shared_Clean:          0 kB
  Shared_Dirty:          0 kB
  Private_Clean:         0 kB
  Private_Dirty:        20 kB
  Referenced:           20 kB
  Anonymous:            20 kB
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
  VmFlags: rd wr mr mw me ac 
  [1] mm> peek(a+12K, 5)
  7ffff7fbf000  77 66 69 6c 65                                    |wfile|
