# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.LEN: 512 1024 2048
# vary.BIG: 300M 350M 400M 450M

Lab 9: O_DIRECT against fork (seed 004)

An O_DIRECT read does not copy through the page cache: the disk's DMA
engine writes straight into the caller's own page, some time after the
read was submitted (block/fops.c __blkdev_direct_IO_simple). To make that
safe the kernel holds the page with GUP while the I/O is in flight. If the
process forks meanwhile, the page becomes copy-on-write, and the first CPU
write by the parent moves the parent to a new page: the DMA then lands in
the page the child keeps. The parent's read "succeeds" and its buffer
never gets the data. Andrea Arcangeli named this as the reason
MADV_DONTFORK is not optional (2014 userfault thread, devices.md §1.5).

Each round below runs the same program under one design, set with
`policy`: a thread reads the disk's first 512 bytes (all 'D') with
O_DIRECT into a buffer page filled with '.', the main thread forks and
then writes "parent" into the other half of the same page, and the read
completes afterwards.

Put the data on the disk, and start the thread that will read.

  [1] mm> fd = open("/dev/nvme0n1", O_RDWR|O_DIRECT)
  = 3
  [1] mm> src = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbf000
  [1] mm> memset(src, 0x44, 4K)
  = 4096
  [1] mm> pwrite(fd, src, 4K, 0)
  <unfinished ...> (thread 1 sleeps in submit_bio_wait)
  [1] mm> wait 1
  <... pwrite resumed> = 4096
  (0.000102048s passed)
  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
? Why did the pwrite print <unfinished ...> before its result? (How many bytes did it write once resumed?)
!= 4096
! With O_DIRECT the call waits in the kernel (submit_bio_wait, state D) until the device completes the command on the virtual clock; wait lets the time pass.

Round 1: Linux 5.8 and before. fork write-protects every private page,
pinned or not (fork.pinnedPages=cow-steal), and O_DIRECT holds the user
page with a plain reference (dio.pinType=get).

  [1] mm> policy fork.pinnedPages cow-steal
  fork.pinnedPages = cow-steal
  [1] mm> policy dio.pinType get
  dio.pinType = get
  [1] mm> b1 = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> memset(b1, 0x2e, 4K)
  = 4096
  [1] mm> @t pread(fd, b1, 512, 0)
  <unfinished ...> (thread 2 sleeps in submit_bio_wait)
  [1] mm> pages b1
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1002  rw      yes    yes    no         2    1    0  anon  yes
  [1] mm> c1 = fork()
  = 3
  [1] mm> poke(b1 + 2K, "parent")
  = 6
  [1] mm> pages b1
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1003  rw      yes    yes    no         1    1    0  anon  yes
  [1] mm> @c1 pages b1
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1002  r-      yes    no     no         2    1    0  anon  no
  [1] mm> sleep 1ms
  [pid 2] <... pread resumed> = 512
  [1] mm> peek(b1, 8)
  7f0000000000  2e 2e 2e 2e 2e 2e 2e 2e                           |........|
  [1] mm> @c1 peek(b1, 8)
  7f0000000000  44 44 44 44 44 44 44 44                           |DDDDDDDD|
? Where did the 512 bytes go (the pid of the process whose page got them)?
!= c1
? Where did the 512 bytes go, and what did the parent's read return?
!= 512
! The read returned 512, but the parent's buffer still holds '.': the parent's write copied it to a new page (PFN changed, REF 1) and the DMA went into the old page, which only the child maps now (it reads 'D').

Round 2: the same old kernel, but the buffer is marked MADV_DONTFORK
(VM_DONTCOPY, `dc`): the child does not get the range at all.

  [1] mm> b2 = mmap(0x7f0000100000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000100000
  [1] mm> memset(b2, 0x2e, 4K)
  = 4096
  [1] mm> madvise(b2, 4K, MADV_DONTFORK)
  = 0
  [1] mm> @t pread(fd, b2, 512, 0)
  <unfinished ...> (thread 2 sleeps in submit_bio_wait)
  [1] mm> c2 = fork()
  = 4
  [1] mm> poke(b2 + 2K, "parent")
  = 6
  [1] mm> pages b2
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000100000  present  1004  rw      yes    yes    no         2    1    0  anon  yes
  [1] mm> sleep 1ms
  [pid 2] <... pread resumed> = 512
  [1] mm> peek(b2, 8)
  7f0000100000  44 44 44 44 44 44 44 44                           |DDDDDDDD|
  [1] mm> @c2 peek(b2, 8)
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x7f0000100000} ---
? Why is nothing lost this time? (Which si_code does the child's read of b2 get?)
!= SEGV_MAPERR
! fork left the page out of the child, so it stayed exclusive to the parent and writable: the parent's write went into the page under DMA, and the data landed where the parent looks. The child has no mapping there (SEGV_MAPERR).

Round 3: Linux 5.9 to 6.4. fork copies a page that may be DMA-pinned for
the child at once (fork.pinnedPages=early-copy: copy_present_page), but
O_DIRECT still takes plain references (dio.pinType=get), and a refcount of
2 does not look pinned (page_maybe_dma_pinned needs the 1024 bias).

  [1] mm> policy fork.pinnedPages early-copy
  fork.pinnedPages = early-copy
  [1] mm> b3 = mmap(0x7f0000200000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000200000
  [1] mm> memset(b3, 0x2e, 4K)
  = 4096
  [1] mm> @t pread(fd, b3, 512, 0)
  <unfinished ...> (thread 2 sleeps in submit_bio_wait)
  [1] mm> pages b3
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000200000  present  1005  rw      yes    yes    no         2    1    0  anon  yes
  [1] mm> c3 = fork()
  = 5
  [1] mm> poke(b3 + 2K, "parent")
  = 6
  [1] mm> sleep 1ms
  [pid 2] <... pread resumed> = 512
  [1] mm> peek(b3, 8)
  7f0000200000  2e 2e 2e 2e 2e 2e 2e 2e                           |........|
  [1] mm> @c3 peek(b3, 8)
  7f0000200000  44 44 44 44 44 44 44 44                           |DDDDDDDD|
? Why does the early copy not help here? (What was the page's refcount when fork looked at it?)
!= 2
! It only copies pages that may be pinned (refcount >= 1024 in an mm with MMF_HAS_PINNED). O_DIRECT's FOLL_GET reference made the refcount 2, so fork shared the page copy-on-write as in round 1 and the data went to the child again.

Round 4: Linux 6.5 and later (today). O_DIRECT pins the page with
FOLL_PIN (dio.pinType=pin: refcount + 1024, the mm marked MMF_HAS_PINNED),
so fork sees it and gives the child its own copy.

  [1] mm> policy dio.pinType pin
  dio.pinType = pin
  [1] mm> b4 = mmap(0x7f0000300000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000300000
  [1] mm> memset(b4, 0x2e, 4K)
  = 4096
  [1] mm> @t pread(fd, b4, 512, 0)
  <unfinished ...> (thread 2 sleeps in submit_bio_wait)
  [1] mm> pages b4
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7f0000300000  present  1007  rw      yes    yes    no       1025    1    1  anon  yes
  [1] mm> c4 = fork()
  = 6
  [1] mm> pages b4
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7f0000300000  present  1007  rw      yes    yes    no       1025    1    1  anon  yes
  [1] mm> @c4 pages b4
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000300000  present  1008  rw      yes    no     no         1    1    0  anon  yes
  [1] mm> poke(b4 + 2K, "parent")
  = 6
  [1] mm> sleep 1ms
  [pid 2] <... pread resumed> = 512
  [1] mm> peek(b4, 8)
  7f0000300000  44 44 44 44 44 44 44 44                           |DDDDDDDD|
  [1] mm> peek(b4 + 2K, 6)
  7f0000300800  70 61 72 65 6e 74                                 |parent|
  [1] mm> @c4 peek(b4, 8)
  7f0000300000  2e 2e 2e 2e 2e 2e 2e 2e                           |........|
  [1] mm> vmstat
  nr_free_pages 258039
  nr_anon_pages 9
  nr_mapped 0
  nr_file_pages 0
  nr_shmem 0
  nr_foll_pin_acquired 2
  nr_foll_pin_released 2
? Which process keeps the page under DMA, and what does the child see? (Give the pid that keeps it.)
!= 1
! The parent keeps the pinned page (same PFN, REF 1025, still writable and exclusive), so both its write and the DMA land there; the child got a copy made at fork time, holding the '.' from before the read.

Round 5: the other reason for MADV_DONTFORK. Under strict overcommit
(vm.overcommit_memory=2) fork must commit the child's copy of every
private writable mapping again (dup_mmap: security_vm_enough_memory_mm),
so a process with a large buffer (a guest's RAM, a DMA pool) cannot fork
at all, even to exec a helper.

  [1] mm> sysctl vm.overcommit_memory=2
  vm.overcommit_memory = 2
  [1] mm> big = mmap(NULL, 300M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7fffe4800000
  [1] mm> fork()
  = -1 ENOMEM (Cannot allocate memory)
  [1] mm> madvise(big, 300M, MADV_DONTFORK)
  = 0
  [1] mm> fork()
  = 7
? Why did the second fork succeed? (Which errno did the first get?)
!= ENOMEM
! A VM_DONTCOPY range is skipped before the commit charge, so the child needs 300M less than CommitLimit would allow otherwise.

What each design did to the program:

design                             | the program saw          | it lost
cow-steal + get (<= 5.8)           | pread = 512, buffer '.'  | the 512 bytes (in the child's page)
cow-steal + get + MADV_DONTFORK    | pread = 512, buffer 'D'  | nothing (the child has no mapping)
early-copy + get (5.9 - 6.4)       | pread = 512, buffer '.'  | the 512 bytes (in the child's page)
early-copy + pin (6.5+, today)     | pread = 512, buffer 'D'  | nothing (the child got a copy)
strict overcommit, 300M buffer     | fork = -1 ENOMEM         | the fork itself
strict overcommit + MADV_DONTFORK  | fork = the child's pid   | nothing
