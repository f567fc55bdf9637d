# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.WAIT: 10 3 30 60
# vary.WAIT.sleep: 10s 3s 30s 60s
# vary.LEASE: 45 10 20 90
# vary.LEASE.sleep: 45s 10s 20s 90s
# vary.IOVA: 0x10000 0x20000 0x7000 0x123000

Lab 11: truncating a DAX file under a pinned page (seed 001)

On a filesystem mounted -o dax a file's page IS its block of persistent
memory: there is no page cache, a mapping points straight at the block
(fs/dax.c). An RDMA program registers part of such a mapping with its NIC
(ibv_reg_mr -> ib_umem_get -> pin_user_pages(FOLL_WRITE|FOLL_LONGTERM)),
and the NIC writes into the pinned block whenever a peer sends data. Now
someone truncates the file. The filesystem unmaps the file from every
process (mmu notifiers fire), but it cannot unmap the NIC: the pin is
still there. What happens next is `dax.truncateWithPin`, the question the
Dec 2018 put_user_page thread argued about.

Each round below runs the same program: a child process (the RDMA
program) maps a 4 KiB file on /mnt/pmem, writes "app data" into it and
pins the page; the NIC is `dma_write` through that pin. pid 1 is the
administrator who truncates the file.

Round 0: today. A long-term pin of fsdax memory is refused (check_vma_flags,
4.15 on): the RDMA program cannot register the buffer at all, while
device-dax (/dev/dax0.0, a character device with no truncate) is fine.

  [1] mm> app0 = fork()
  = 2
  [1] mm> @app0 fd = open("/mnt/pmem/r0", O_RDWR|O_CREAT, 0644)
  = 3
  [1] mm> @app0 ftruncate(fd, 4K)
  = 0
  [1] mm> @app0 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app0 poke(a, "app data")
  = 8
  [1] mm> @app0 pages a
  ADDRESS       PTE      PFN    ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7ffff7fbf000  present  40000  rw      yes    yes    no         1    1    0  pmem  -
  [1] mm> @app0 smaps a
  7ffff7fbf000-7ffff7fc0000 rw-s 00000000 103:01 260004                    /mnt/pmem/r0
  Size:                  4 kB
  KernelPageSize:        4 kB
  MMUPageSize:           4 kB
  Rss:                   4 kB
  Pss:                   4 kB
  Pss_Dirty:             4 kB
  Shared_Clean:          0 kB
  Shared_Dirty:          0 kB
  Private_Clean:         0 kB
  Private_Dirty:         4 kB
  Referenced:            4 kB
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
  VmFlags: rd wr sh mr mw me ms hg 
  [1] mm> @app0 ctx = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 4
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 4, 0) = 0x7ffff7fbe000
  = 0x5555555602a0 {cmd_fd=4, async_fd=5}
  [1] mm> @app0 pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
  [1] mm> @app0 ibv_reg_mr(pd, a, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = NULL errno=EOPNOTSUPP (Operation not supported)
  [1] mm> @app0 dd = open("/dev/dax0.0", O_RDWR)
  = 6
  [1] mm> @app0 d = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, dd, 0)
  = 0x7ffff7fbd000
  [1] mm> @app0 ibv_reg_mr(pd, d, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = 0x5555555604a0 {addr=0x7ffff7fbd000, length=4096, lkey=0x20000, rkey=0x20000}
? What kind of page is mapped at a, and why is its registration refused? (Which errno?)
!= EOPNOTSUPP
! KIND pmem: the PTE maps the file's pmem block itself (no page cache; VmFlags hg). ib_umem_get's long-term pin of fsdax is EOPNOTSUPP since 4.15, exactly because of what the next rounds show; the device-dax mapping registers.

In the rounds below the program registers its MR with ibv_reg_mr where
the story needs only the pin, and with what ib_umem_get does,
pin_user_pages(FOLL_WRITE|FOLL_LONGTERM), kept by the process, where the
NIC's incoming RDMA WRITE must be shown: `dma_write` is that write,
through the pinned page frame.

The rounds that follow go back to kernels that took the pin
(gup.longtermFsdax=allow, and no refusal of long-term write pins of
shared files yet: gup.longtermWriteFileShared=allow).

  [1] mm> policy gup.longtermFsdax allow
  gup.longtermFsdax = allow
  [1] mm> policy gup.longtermWriteFileShared allow
  gup.longtermWriteFileShared = allow

Round 1: before 4.18 (xfs) / 4.19 (ext4, this filesystem)
(dax.truncateWithPin=corrupt): truncate frees the blocks at once, pins or not.

  [1] mm> policy dax.truncateWithPin corrupt
  dax.truncateWithPin = corrupt
  [1] mm> app1 = fork()
  = 3
  [1] mm> @app1 fd = open("/mnt/pmem/r1", O_RDWR|O_CREAT, 0644)
  = 3
  [1] mm> @app1 ftruncate(fd, 4K)
  = 0
  [1] mm> @app1 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app1 poke(a, "app data")
  = 8
  [1] mm> @app1 pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  = 1
  [1] mm> @app1 pages a
  ADDRESS       PTE      PFN    ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7ffff7fbf000  present  40001  rw      yes    yes    no       1025    1    1  pmem  -
  [1] mm> f1 = open("/mnt/pmem/r1", O_RDWR)
  = 3
  [1] mm> ftruncate(f1, 0)
  = 0
  [1] mm> j1 = open("/mnt/pmem/journal1", O_RDWR|O_CREAT, 0644)
  = 4
  [1] mm> pwrite(j1, "journal entry", 13, 0)
  = 13
  [1] mm> @app1 dma_write(a, "RDMA payload")
  = 12
  [1] mm> pread(j1, "", 13, 0)
  = 13 "RDMA payloady"
  [1] mm> check
  ok
? Whose data did the NIC's write change? (Was it the RDMA program's own file? yes or no)
!= no
! The journal's. The truncate gave the pinned block back to the allocator, which hands out the block freed last first: the journal got it, and the NIC, still holding the pin, wrote into it. An unrelated file is corrupted and nothing reports it.

Round 2: Linux 4.18 (xfs) / 4.19 (ext4) to today for short-term pins
(dax.truncateWithPin=block): truncate waits, interruptibly, until no pin
is left on the file's pages (ext4_break_layouts -> dax_break_layout).

  [1] mm> policy dax.truncateWithPin block
  dax.truncateWithPin = block
  [1] mm> app2 = fork()
  = 4
  [1] mm> @app2 fd = open("/mnt/pmem/r2", O_RDWR|O_CREAT, 0644)
  = 5
  [1] mm> @app2 ftruncate(fd, 4K)
  = 0
  [1] mm> @app2 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app2 poke(a, "app data")
  = 8
  [1] mm> @app2 ctx = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 6
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 6, 0) = 0x7ffff7fbe000
  = 0x5555555602a0 {cmd_fd=6, async_fd=7}
  [1] mm> @app2 pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
  [1] mm> @app2 mr = ibv_reg_mr(pd, a, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = 0x5555555604a0 {addr=0x7ffff7fbf000, length=4096, lkey=0x20100, rkey=0x20100}
  [1] mm> f2 = open("/mnt/pmem/r2", O_RDWR)
  = 5
  [1] mm> ftruncate(f2, 0)
  <unfinished ...> (thread 1 sleeps in ext4_wait_dax_page)
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 S    ext4_wait_dax_page   prog
      2     2 R    -                    prog
      3     3 R    -                    prog
      4     4 R    -                    prog
  [1] mm> @app2 kill(1, SIGUSR1)
  = 0
  [pid 1] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=4, si_uid=0} ---
  [pid 1] <... ftruncate resumed> = -1 EINTR (Interrupted system call)
  [1] mm> ftruncate(f2, 0)
  <unfinished ...> (thread 1 sleeps in ext4_wait_dax_page)
  [1] mm> sleep 10s
  [1] mm> @app2 ibv_dereg_mr(mr)
  = 0
  [pid 1] <... ftruncate resumed> = 0
  [1] mm> pread(f2, "", 4, 0)
  = 0 ""
? Which errno did the first truncate return when the signal came?
!= EINTR
? How long did the administrator's truncate take, and what ended it? (How many seconds did the second one wait?)
!= 10
! It slept (S, wchan ext4_wait_dax_page) until the RDMA program deregistered its MR (ib_umem_release unpinned the page): 10 virtual seconds here, forever if the program never deregisters. A signal ends the wait with EINTR; nothing is corrupted. This is why long-term pins of fsdax are refused: only short-term pins (O_DIRECT, in-flight DMA) are ever waited for.

Round 3: Ira Weiny's 2019 RFC (preset rfc-2019-dax-lease): a long-term
pin of fsdax is allowed only while the program holds an F_LAYOUT lease,
and a truncate of a pinned file fails instead of waiting.

  [1] mm> policy gup.longtermFsdax eopnotsupp
  gup.longtermFsdax = eopnotsupp
  [1] mm> policy dax.layoutLease rfc-2019
  dax.layoutLease = rfc-2019
  [1] mm> policy dax.truncateWithPin fail-etxtbsy
  dax.truncateWithPin = fail-etxtbsy
  [1] mm> app3 = fork()
  = 5
  [1] mm> @app3 fd = open("/mnt/pmem/r3", O_RDWR|O_CREAT, 0644)
  = 6
  [1] mm> @app3 ftruncate(fd, 4K)
  = 0
  [1] mm> @app3 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app3 poke(a, "app data")
  = 8
  [1] mm> @app3 pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  = -1 EOPNOTSUPP (Operation not supported)
  [1] mm> @app3 fcntl(fd, F_SETLEASE, F_RDLCK|F_LAYOUT)
  = 0
  [1] mm> @app3 pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  = 1
  [1] mm> f3 = open("/mnt/pmem/r3", O_RDWR)
  = 6
  [1] mm> ftruncate(f3, 0)
  = -1 ETXTBSY (Text file busy)
  [1] mm> @app3 dma_write(a, "RDMA payload")
  = 12
  [1] mm> pread(f3, "", 12, 0)
  = 12 "RDMA payload"
? What did each side get? (Which errno did the administrator get?)
!= ETXTBSY
! The RDMA program keeps its file and its data ("RDMA payload" is in the file); the administrator gets ETXTBSY and must ask the program to let go. Nobody waits and nothing is lost, but it needed a new lease type that never merged.

Round 4: notify then kill (Jason Gunthorpe and John Hubbard in the seed
thread): the pinning process is told, as a lease holder would be (SIGIO),
gets fs.lease-break-time (45 s) to let go, and is then killed.

  [1] mm> policy dax.layoutLease off
  dax.layoutLease = off
  [1] mm> policy gup.longtermFsdax allow
  gup.longtermFsdax = allow
  [1] mm> policy dax.truncateWithPin notify-kill
  dax.truncateWithPin = notify-kill
  [1] mm> sysctl fs.lease-break-time=45
  fs.lease-break-time = 45
  [1] mm> app4 = fork()
  = 6
  [1] mm> @app4 fd = open("/mnt/pmem/r4", O_RDWR|O_CREAT, 0644)
  = 7
  [1] mm> @app4 ftruncate(fd, 4K)
  = 0
  [1] mm> @app4 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app4 poke(a, "app data")
  = 8
  [1] mm> @app4 ctx = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 8
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 8, 0) = 0x7ffff7fbe000
  = 0x5555555602a0 {cmd_fd=8, async_fd=9}
  [1] mm> @app4 pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
  [1] mm> @app4 mr = ibv_reg_mr(pd, a, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = 0x5555555604a0 {addr=0x7ffff7fbf000, length=4096, lkey=0x20200, rkey=0x20200}
  [1] mm> f4 = open("/mnt/pmem/r4", O_RDWR)
  = 7
  [1] mm> ftruncate(f4, 0)
  <unfinished ...> (thread 1 sleeps in ext4_wait_dax_page)
  [pid 6] --- SIGIO {si_signo=SIGIO, si_code=SI_KERNEL} ---
  [1] mm> threads
    PID   TID STAT WCHAN                COMMAND
      1     1 S    ext4_wait_dax_page   prog
      2     2 R    -                    prog
      3     3 R    -                    prog
      4     4 R    -                    prog
      5     5 R    -                    prog
      6     6 R    -                    prog
  [1] mm> sleep 45s
  <... ftruncate resumed> = 0
  [pid 6] +++ killed by SIGKILL +++
  [1] mm> ps
    PID  PPID STAT    VSZ   RSS COMMAND
      1     0 R      2504     0 prog
      2     1 R      2516     8 prog
      3     1 R      2508     0 prog
      4     1 R      2512     0 prog
      5     1 R      2508     0 prog
      6     1 Z         0     0 prog
? How many seconds did the RDMA program get to let go?
!= 45
? What did the RDMA program lose? (Which signal killed it?)
!= SIGKILL
! The process itself: it got SIGIO at once, did not deregister within 45 seconds, and was killed with SIGKILL; its exit closed the uverbs file, which destroyed the MR and unpinned the page, and the truncate finished. The file's data is gone as the administrator asked, and no other file was touched.

Round 5: redirect (Jerome Glisse in the seed thread): reprogram the device
to write into a scratch page, and let the truncate go on.

  [1] mm> policy dax.truncateWithPin redirect
  dax.truncateWithPin = redirect
  [1] mm> app5 = fork()
  = 7
  [1] mm> @app5 fd = open("/mnt/pmem/r5", O_RDWR|O_CREAT, 0644)
  = 8
  [1] mm> @app5 ftruncate(fd, 4K)
  = 0
  [1] mm> @app5 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app5 poke(a, "app data")
  = 8
  [1] mm> @app5 pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  = 1
  [1] mm> f5 = open("/mnt/pmem/r5", O_RDWR)
  = 8
  [1] mm> ftruncate(f5, 0)
  = 0
  [1] mm> j5 = open("/mnt/pmem/journal5", O_RDWR|O_CREAT, 0644)
  = 9
  [1] mm> pwrite(j5, "journal entry", 13, 0)
  = 13
  [1] mm> @app5 dma_write(a, "RDMA payload")
  = 12
  [1] mm> pread(j5, "", 13, 0)
  = 13 "journal entry"
  [1] mm> @app5 peek(a, 4)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbf000} ---
? Where did "RDMA payload" go? (Did the journal keep its data? yes or no)
!= yes
! Into a scratch page no file and no mapping will ever show: the truncate finished at once, the journal is intact, and the RDMA program's data is silently lost (its mapping is past EOF now: SIGBUS). Jason's objection: silent data corruption for RDMA users.

Round 6: odp-only (the 2018 thread's "ODP or nothing"): long-term pins of
fsdax are refused whatever else is set, so the RDMA program registers the
buffer on demand (IBV_ACCESS_ON_DEMAND): nothing is pinned, the NIC
mirrors the mapping through an mmu interval notifier.

  [1] mm> policy dax.truncateWithPin odp-only
  dax.truncateWithPin = odp-only
  [1] mm> app6 = fork()
  = 8
  [1] mm> @app6 fd = open("/mnt/pmem/r6", O_RDWR|O_CREAT, 0644)
  = 10
  [1] mm> @app6 ftruncate(fd, 4K)
  = 0
  [1] mm> @app6 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app6 poke(a, "app data")
  = 8
  [1] mm> @app6 ctx = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 11
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 11, 0) = 0x7ffff7fbe000
  = 0x5555555602a0 {cmd_fd=11, async_fd=12}
  [1] mm> @app6 pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
  [1] mm> @app6 ibv_reg_mr(pd, a, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = NULL errno=EOPNOTSUPP (Operation not supported)
  [1] mm> @app6 mr = ibv_reg_mr(pd, a, 4K, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE|IBV_ACCESS_ON_DEMAND)
  = 0x5555555604a0 {addr=0x7ffff7fbf000, length=4096, lkey=0x20300, rkey=0x20300}
  [1] mm> @app6 mr_access(mr, 0, 8, "rdma-write")
  mlx5_ib page fault: iova 0x7ffff7fbf000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 1, hmm_range_fault() = 0
  = {status=IBV_WC_SUCCESS}
  [1] mm> f6 = open("/mnt/pmem/r6", O_RDWR)
  = 10
  [1] mm> ftruncate(f6, 0)
  = 0
  [1] mm> @app6 mr_access(mr, 0, 8, "rdma-write")
  mlx5_ib page fault: iova 0x7ffff7fbf000, 1 page, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE
    mmu_interval_read_begin() = 3, hmm_range_fault() = -14
  = {status=IBV_WC_REM_ACCESS_ERR} (the page fault failed)
? What did the RDMA program lose, and what did the administrator wait for? (Which errno did the second hmm_range_fault return?)
!= EFAULT
! Nothing was pinned, so nothing waited: the truncate's unmap invalidated the MR's device page table through its notifier (mlx5_ib_invalidate_range) and the blocks were freed at once. The NIC's next write faulted again through hmm_range_fault, found no page past EOF (-EFAULT) and completed in error. The program loses the ability to register fsdax memory with a pinned MR at all, and pays a device page fault on first touch.

Round 7: iommu-revoke: the NIC reaches the pinned block through an IOVA
in its IOMMU domain; the truncate unmaps that IOVA and frees the block at
once, pins or not.

  [1] mm> policy dax.truncateWithPin iommu-revoke
  dax.truncateWithPin = iommu-revoke
  [1] mm> app7 = fork()
  = 9
  [1] mm> @app7 fd = open("/mnt/pmem/r7", O_RDWR|O_CREAT, 0644)
  = 11
  [1] mm> @app7 ftruncate(fd, 4K)
  = 0
  [1] mm> @app7 a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbf000
  [1] mm> @app7 poke(a, "app data")
  = 8
  [1] mm> @app7 pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)
  = 1
  [1] mm> @app7 pages a
  ADDRESS       PTE      PFN    ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7ffff7fbf000  present  40004  rw      yes    yes    no       1025    1    1  pmem  -
  [1] mm> iommu 05:00.0 map 0x10000 0x40004000 4K rw
  = 0
  [1] mm> dma 05:00.0 write 0x10000 8 "NIC data"
  #1 queued: write 8 bytes at 0x10000, due in 1001 ns
  [1] mm> sleep 1ms
  [1] mm> @app7 peek(a, 8)
  7ffff7fbf000  4e 49 43 20 64 61 74 61                           |NIC data|
  [1] mm> f7 = open("/mnt/pmem/r7", O_RDWR)
  = 11
  [1] mm> ftruncate(f7, 0)
  = 0
  [1] mm> j7 = open("/mnt/pmem/journal7", O_RDWR|O_CREAT, 0644)
  = 12
  [1] mm> pwrite(j7, "journal entry", 13, 0)
  = 13
  [1] mm> dma 05:00.0 write 0x10000 12 "RDMA payload"
  #2 queued: write 12 bytes at 0x10000, due in 1002 ns
  [1] mm> sleep 1ms
  [1] mm> iommu 05:00.0
  0000:05:00.0: IOMMU on, group 9, domain 1
    fault: DMA write at 0x10000
  [1] mm> pread(j7, "", 13, 0)
  = 13 "journal entry"
? Where did "RDMA payload" go? (At which IOVA did the DMA fault?)
!= 0x10000
! Nowhere: the truncate unmapped IOVA 0x10000 from the NIC's domain before it freed the block, so the late DMA faulted at the IOMMU (the DMAR line is in dmesg) and completed with an error (iommu.deviceOnFault). The journal that got the block is intact; the pin is still the program's until it drops it. It needs the IOMMU: with iommu.enabled=off there is nothing to revoke through and the truncate waits as under block.

What each design cost the RDMA program and the administrator:

design (dax.truncateWithPin)  | the administrator's truncate | what was lost
corrupt (< 4.18 xfs, 4.19 ext4)| = 0 at once                  | another file's data (the journal)
block (4.18/4.19 on)          | waits until the pin drops    | time (EINTR on a signal)
fail-etxtbsy (2019 RFC)       | = -1 ETXTBSY                 | the truncate itself
notify-kill (2018 thread)     | waits lease-break-time       | the RDMA process (SIGKILL)
redirect (2018 thread)        | = 0 at once                  | the device's writes, silently
odp-only (2018 thread)        | = 0 at once                  | pinned MRs on fsdax (ODP only)
iommu-revoke                  | = 0 at once                  | the device's access (DMAR fault)
refuse the pin (4.15 on)      | = 0 (nothing pinned)         | RDMA on fsdax (ODP instead)

John Hubbard's conclusion in the seed thread: GPU developers reached the
same answer; it is acceptable that tearing a filesystem down under active
DMA kills the processes doing it, as long as nobody expects those
processes to keep working afterwards.
