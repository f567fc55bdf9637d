# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.FILL: 0x61 0x5a 0x33 0x7f

Lab 4: MADV_DONTFORK and MADV_WIPEONFORK

Two advices decide what a child inherits from a range at fork
(mm/mmap.c: dup_mmap). MADV_DONTFORK (VM_DONTCOPY, `dc`) leaves the range
out of the child altogether. MADV_WIPEONFORK (VM_WIPEONFORK, `wf`) gives the
child the range, empty: it reads zeros. Both are VMA flags, so advising part
of a VMA splits it.

Map three pages and fill them.

  [1] mm> a = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> memset(a, 0x61, 12K)
  = 12288
  [1] mm> madvise(a, 4K, MADV_DONTFORK)
  = 0
  [1] mm> madvise(a + 4K, 4K, MADV_WIPEONFORK)
  = 0
  [1] mm> maps a 12K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
  7f0000001000-7f0000002000 rw-p 00000000 00:00 0 
  7f0000002000-7f0000003000 rw-p 00000000 00:00 0 
  [1] mm> smaps a 4K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
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
  Anonymous:             4 kB
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
  VmFlags: rd wr mr mw me dc ac 
? Why are there three VMAs now? (How many would one advice over all 12K have left?)
!= 1
! Each advice changes VMA flags for one page, so the page is split out of the VMA; the two advised pages differ from each other and from the third.

Fork, and look from the child.

  [1] mm> c = fork()
  = 2
  [1] mm> @c maps a 12K
  7f0000001000-7f0000002000 rw-p 00000000 00:00 0 
  7f0000002000-7f0000003000 rw-p 00000000 00:00 0 
  [1] mm> @c peek(a)
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x7f0000000000} ---
  [1] mm> @c peek(a + 4K)
  = 0
  [1] mm> @c peek(a + 8K)
  = 97 (0x61)
? What does the child see in the first page? (Which si_code?)
!= SEGV_MAPERR
? What does the child read in the second page?
!= 0
? What does the child see in each of the three pages? (Give the third page's byte.)
!= 0x61
! The DONTFORK page is not mapped at all (SEGV_MAPERR); the WIPEONFORK page is mapped but empty (zero); the third page is the parent's data, shared copy-on-write.

The parent keeps everything.

  [1] mm> peek(a)
  = 97 (0x61)
  [1] mm> peek(a + 4K)
  = 97 (0x61)

MADV_DOFORK and MADV_KEEPONFORK undo the advice, and the pieces merge back.

  [1] mm> madvise(a, 4K, MADV_DOFORK)
  = 0
  [1] mm> madvise(a + 4K, 4K, MADV_KEEPONFORK)
  = 0
  [1] mm> maps a 12K
  7f0000000000-7f0000003000 rw-p 00000000 00:00 0 

WIPEONFORK is for private anonymous memory only: a shared mapping refuses it.

  [1] mm> s = mmap(0x7f0000100000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000100000
  [1] mm> madvise(s, 4K, MADV_WIPEONFORK)
  = -1 EINVAL (Invalid argument)
? Which errno does MADV_WIPEONFORK give on the shared mapping?
!= EINVAL
? Why would wiping a shared mapping in the child make no sense? (Could the child get an empty copy without unsharing? yes or no)
!= no
! The child shares the very same pages with the parent; it cannot get an empty copy without unsharing, so the kernel refuses with EINVAL.
