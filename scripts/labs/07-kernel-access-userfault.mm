# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.LEN: 12K 16K 24K 40K

Lab 7: why a kernel access broke the SIGBUS-only design

A CPU touch of a missing page can raise a signal; a kernel access cannot:
copy_to_user in pread (or GUP, or KVM) is not a user instruction the
handler can restart. The same pread into a missing page, under three
designs: userfaultfd (the thread waits in handle_userfault until the page
is served), UFFD_FEATURE_SIGBUS (4.14) and the 2014 RFC's MADV_USERFAULT.
Both SIGBUS designs turn it into EFAULT with no signal: qemu, whose guest
memory is touched by KVM through GUP, needed userfaultfd.

A file with data, a staging page, and the range.

  [1] mm> fd = open("/tmp/lab7", O_RDWR|O_CREAT|O_TRUNC, 0644)
  = 3
  [1] mm> pwrite(fd, "from the disk", 13, 0)
  = 13
  [1] mm> b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)
  = 0x7ffff7fbf000
  [1] mm> poke(b, "served page")
  = 11
  [1] mm> a = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbc000

1. userfaultfd, missing faults reported as messages. A second thread does
the pread; it waits until the handler (thread 1) serves the page.

  [1] mm> uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 4
  [1] mm> ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff7fbc000, len=0x1000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t pread(fd, a, 13, 0)
  <unfinished ...> (thread 2 sleeps in handle_userfault)
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})
  = 0 {dst=0x7ffff7fbc000, src=0x7ffff7fbf000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... pread resumed> = 13 "from the disk"
  [1] mm> peek(a, 13)
  7ffff7fbc000  66 72 6f 6d 20 74 68 65  20 64 69 73 6b           |from the disk|
? What happened to the pread before the page was served, and after? (How many bytes did it read?)
!= 13
! It waited in handle_userfault (the thread slept inside the syscall); after UFFDIO_COPY it restarted and read the 13 bytes over the served page.

2. UFFD_FEATURE_SIGBUS: the same registration, missing faults are SIGBUS.

  [1] mm> uffd2 = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 5
  [1] mm> ioctl(uffd2, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> ioctl(uffd2, UFFDIO_REGISTER, {range={start=a + 4K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff7fbd000, len=0x1000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> peek(a + 4K + 1)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbd001} ---
  [1] mm> pread(fd, a + 4K, 13, 0)
  = -1 EFAULT (Bad address)

3. The 2014 RFC: advice 18 is MADV_USERFAULT on this machine from now on.

  [1] mm> policy uffd.madv18 userfault-rfc
  uffd.madv18 = userfault-rfc
  [1] mm> madvise(a + 8K, 4K, MADV_USERFAULT)
  = 0
  [1] mm> peek(a + 8K + 2)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbe002} ---
  [1] mm> pread(fd, a + 8K, 13, 0)
  = -1 EFAULT (Bad address)
? Under UFFD_FEATURE_SIGBUS, at which address did the touch raise SIGBUS?
!= a + 4K + 1
? And which errno did the pread give there?
!= EFAULT
? Under the RFC, at which address did the touch raise SIGBUS?
!= a + 8K + 2
? What did the CPU touch and the pread give under the two SIGBUS designs? (Was any signal sent for the pread? yes or no)
!= no
! The touch raised SIGBUS BUS_ADRERR at its exact address; the pread returned -1 EFAULT with no signal at all. Nothing tells a handler which page the kernel wanted, so a program whose memory the kernel touches (qemu with KVM) cannot serve it.
