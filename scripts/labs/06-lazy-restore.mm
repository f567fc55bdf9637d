# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.STAGE: 16K 20K 32K 64K

Lab 6: lazy restore ("post-copy migration"), three ways

A restored program starts before its memory has arrived: each page is
fetched when first touched. The same program, three designs (seed 004):
userfaultfd as it shipped (4.3: the faulting thread waits, a handler
serves the page with UFFDIO_COPY); the 2014 RFC (MADV_USERFAULT: the touch
raises SIGBUS, the handler moves a staged page in with remap_anon_pages and
returns, the access retries); and UFFD_FEATURE_SIGBUS (4.14: the RFC's
signal through a userfaultfd registration, with UFFDIO_MOVE, 6.8). Part 4
runs one program under each of the three options the RFC's own thread
argued (policy uffd.rfcDesign).

The "disk" is a staging buffer kept out of any child (MADV_DONTFORK, as
the RFC advised); the restored range is empty.

  [1] mm> s = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbc000
  [1] mm> madvise(s, 16K, MADV_DONTFORK)
  = 0
  [1] mm> poke(s, "page 0")
  = 6
  [1] mm> poke(s + 4K, "page 1")
  = 6
  [1] mm> poke(s + 8K, "page 2")
  = 6
  [1] mm> a = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fb9000

1. userfaultfd (today). A worker thread touches page 0 and waits; the
handler (thread 1) reads the message and serves the page.

  [1] mm> uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 3
  [1] mm> ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_THREAD_ID})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff7fb9000, len=0x1000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t peek(a, 6)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fb9000)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 Rl   -                    prog
      1     2 Sl   handle_userfault     prog
  [1] mm> read(uffd, s + 12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff7fb9000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=a, src=s, len=4K, mode=0})
  = 0 {dst=0x7ffff7fb9000, src=0x7ffff7fbc000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... peek resumed> = 6
  [1] mm> peek(a, 6)
  7ffff7fb9000  70 61 67 65 20 30                                 |page 0|
? At which address did the worker wait?
!= a
? Where did the worker wait, and what did the message tell the handler? (Give the TID it named.)
!= t
! In handle_userfault; the message is UFFD_EVENT_PAGEFAULT (0x12) with the page address and the worker's TID (2). UFFDIO_COPY copied the staged page in and woke the worker, whose peek finished; the page reads "page 0".

2. The 2014 RFC, on this machine from now on: advice 18 is MADV_USERFAULT
and remap_anon_pages(2) exists. No file descriptor, no registration, no
thread: the touch itself is the request.

  [1] mm> policy uffd.madv18 userfault-rfc
  uffd.madv18 = userfault-rfc
  [1] mm> policy uffd.remap remap_anon_pages-rfc
  uffd.remap = remap_anon_pages-rfc
  [1] mm> madvise(a + 4K, 4K, MADV_USERFAULT)
  = 0
  [1] mm> peek(a + 4K, 6)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fba000} ---
  [1] mm> remap_anon_pages(a + 4K, s + 4K, 4K, 0)
  = 4096
  [1] mm> peek(a + 4K, 6)
  7ffff7fba000  70 61 67 65 20 31                                 |page 1|
  [1] mm> peek(s + 4K, 6)
  7ffff7fbd000  00 00 00 00 00 00                                 |......|
? What did the handler need to know, and where is the staged page now? (Give the si_addr.)
!= a + 4K
! Only si_addr from the SIGBUS (the exact faulting address). remap_anon_pages moved the page itself, not a copy: the access retried and read "page 1", and the staging page is a hole again (it reads zeros).

3. UFFD_FEATURE_SIGBUS (4.14) with UFFDIO_MOVE (6.8): back to today's
numbers; the signal comes from a registration, the move is an ioctl.

  [1] mm> policy uffd.madv18 wipeonfork
  uffd.madv18 = wipeonfork
  [1] mm> policy uffd.remap UFFDIO_MOVE
  uffd.remap = UFFDIO_MOVE
  [1] mm> uffd2 = userfaultfd(O_CLOEXEC|O_NONBLOCK)
  = 4
  [1] mm> ioctl(uffd2, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS|UFFD_FEATURE_MOVE})
  = 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}
  [1] mm> ioctl(uffd2, UFFDIO_REGISTER, {range={start=a + 8K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff7fbb000, len=0x1000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> peek(a + 8K, 6)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbb000} ---
  [1] mm> ioctl(uffd2, UFFDIO_MOVE, {dst=a + 8K, src=s + 8K, len=4K, mode=0})
  = 0 {dst=0x7ffff7fbb000, src=0x7ffff7fbe000, len=0x1000, mode=0, move=0x1000}
  [1] mm> peek(a + 8K, 6)
  7ffff7fbb000  70 61 67 65 20 32                                 |page 2|

4. The 2014 thread's three options, on one program. Kirill objected that
madvise is a hint; Andrea's reply listed the choices: (1) set VM_USERFAULT
with mprotect(PROT_USERFAULT) instead, (2) drop MADV_USERFAULT and keep
only the userfaultfd (what shipped), (3) keep both, the userfaultfd
engaging only where a MADV_USERFAULT range and its registered range
intersect (what the RFC implemented). Policy uffd.rfcDesign selects one.
The program: the same userfaultfd registered on the first two pages of r,
the mark (if the design has one) on pages 0 and 2, then the worker touches
pages 0 and 1 and the main thread page 2. Today's ioctls stand in for the
RFC's own userfaultfd protocol (read a fault address, write a range back to
wake); what differs is where the fd engages, which the run shows.

Option 3, the RFC as posted: advice 18 is MADV_USERFAULT.

  [1] mm> policy uffd.madv18 userfault-rfc
  uffd.madv18 = userfault-rfc
  [1] mm> policy uffd.rfcDesign madvise+userfaultfd
  uffd.rfcDesign = madvise+userfaultfd
  [1] mm> r = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff75ce000
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=r, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff75ce000, len=0x2000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> madvise(r, 4K, MADV_USERFAULT)
  = 0
  [1] mm> madvise(r + 8K, 4K, MADV_USERFAULT)
  = 0
  [1] mm> @t peek(r, 6)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff75ce000)
  [1] mm> read(uffd, s + 12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff75ce000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=r, src=s, len=4K, mode=0})
  = 0 {dst=0x7ffff75ce000, src=0x7ffff7fbc000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... peek resumed> = 6
  [1] mm> @t peek(r + 4K, 6)
  7ffff75cf000  00 00 00 00 00 00                                 |......|
  [1] mm> peek(r + 8K, 6)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff75d0000} ---
? Which of the three pages went to the userfaultfd? (How many?)
!= 1
! Only page 0, registered and marked: the worker waited and UFFDIO_COPY served it. Page 1 is registered but not marked, so it was an ordinary fault (zeros, no message); page 2 is marked but registered nowhere, so it raised SIGBUS as in part 2.

Option 1: the mark comes from mprotect; advice 18 keeps its shipped
meaning. PROT_USERFAULT is 0x40, mmlab's own value (the thread gives none);
like MADV_USERFAULT it is EINVAL on anything but private anonymous memory,
and it changes no PTE.

  [1] mm> policy uffd.madv18 wipeonfork
  uffd.madv18 = wipeonfork
  [1] mm> policy uffd.rfcDesign mprotect+userfaultfd
  uffd.rfcDesign = mprotect+userfaultfd
  [1] mm> r = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff75cb000
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=r, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff75cb000, len=0x2000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> mprotect(r, 4K, PROT_READ|PROT_WRITE|PROT_USERFAULT)
  = 0
  [1] mm> mprotect(r + 8K, 4K, PROT_READ|PROT_WRITE|PROT_USERFAULT)
  = 0
  [1] mm> @t peek(r, 6)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff75cb000)
  [1] mm> read(uffd, s + 12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff75cb000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=r, src=s, len=4K, mode=0})
  = 0 {dst=0x7ffff75cb000, src=0x7ffff7fbc000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... peek resumed> = 6
  [1] mm> @t peek(r + 4K, 6)
  7ffff75cc000  00 00 00 00 00 00                                 |......|
  [1] mm> peek(r + 8K, 6)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff75cd000} ---

Option 2, what shipped: no mark at all; the registration is the request.

  [1] mm> policy uffd.rfcDesign userfaultfd
  uffd.rfcDesign = userfaultfd
  [1] mm> r = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff75c8000
  [1] mm> ioctl(uffd, UFFDIO_REGISTER, {range={start=r, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})
  = 0 {range={start=0x7ffff75c8000, len=0x2000}, mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}
  [1] mm> @t peek(r, 6)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff75c8000)
  [1] mm> read(uffd, s + 12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff75c8000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_COPY, {dst=r, src=s, len=4K, mode=0})
  = 0 {dst=0x7ffff75c8000, src=0x7ffff7fbc000, len=0x1000, mode=0, copy=0x1000}
  [pid 2] <... peek resumed> = 6
  [1] mm> @t peek(r + 4K, 6)
  <unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff75c9000)
  [1] mm> read(uffd, s + 12K, 32)
  = 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff75c9000, feat={ptid=2}}}
  [1] mm> ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=r + 4K, len=4K}, mode=0})
  = 0 {range={start=0x7ffff75c9000, len=0x1000}, mode=0, zeropage=0x1000}
  [pid 2] <... peek resumed> = 6
  [1] mm> peek(r + 8K, 6)
  7ffff75ca000  00 00 00 00 00 00                                 |......|
? What did option 2 cost the program, and what did it take away? (How many of r's pages reached the handler?)
!= 2
! It deleted the marking lines and nothing else, the small change Andrea predicted for userfaultfd users; every registered page, page 1 too, now reaches the handler. What it took away is the SIGBUS without a file descriptor: page 2 is an ordinary zero page, and a SIGBUS came back only in 4.14, through a registration (part 3).

The thread's options, on that program:

option                       | marks the range                       | registered, unmarked | marked, unregistered
(3) madvise + userfaultfd    | madvise(MADV_USERFAULT)               | ordinary fault       | SIGBUS, si_addr
(1) mprotect + userfaultfd   | mprotect(PROT_USERFAULT)              | ordinary fault       | SIGBUS, si_addr
(2) userfaultfd only (4.3)   | nothing: UFFDIO_REGISTER is the mark  | waits in the handler | (no mark)

What each design needed from the program:

design                     | marks the range      | is told by           | serves with             | kernel access (pread, GUP)
userfaultfd (4.3)          | fd + UFFDIO_REGISTER | read(uffd): uffd_msg | UFFDIO_COPY (a copy)    | waits, then succeeds
2014 RFC MADV_USERFAULT    | madvise(18)          | SIGBUS, si_addr      | remap_anon_pages (move) | EFAULT, no signal
UFFD_FEATURE_SIGBUS (4.14) | fd + UFFDIO_REGISTER | SIGBUS, si_addr      | UFFDIO_COPY or _MOVE    | EFAULT, no signal

? Which design needs a second thread, and why? (How many of the three do?)
!= 1
! Only userfaultfd with messages: the faulting thread sleeps in the kernel, so another thread must read the message and serve the page. The two SIGBUS designs run the handler on the faulting thread itself, which is also why they cannot help a kernel access (lab 7).
