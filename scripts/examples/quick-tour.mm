# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

A quick tour: the session from mmlab's first issue, then a look at the pages
behind it. Replay it with: deno task replay scripts/examples/quick-tour.mm

  [1] mm> a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> mprotect(a + 4K, 4K, PROT_READ)
  = 0
  [1] mm> mprotect(a + 1, 4K, PROT_READ)
  = -1 EINVAL (Invalid argument)
  [1] mm> poke(a + 4K, 0x41)
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0000001000} ---
  [1] mm> peek(a)
  = 0
  [1] mm> maps a 16K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
  7f0000001000-7f0000002000 r--p 00000000 00:00 0 
  7f0000002000-7f0000004000 rw-p 00000000 00:00 0 
  [1] mm> c = fork()
  = 2
  [1] mm> @2 peek(a)
  = 0

Both processes now map the zero page at a, but not because fork copied it:
a read fault maps the zero page without giving the VMA an anon_vma, and fork
copies no page table for a VMA without one (mm/memory.c: vma_needs_copy).
The child's peek above was its own fault.

  [1] mm> pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  ZERO  r-      no     yes    yes        -    -    -  zero  -
  7f0000001000  none     -     -       -      -      -          -    -    -  -     -
  [1] mm> @c pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  ZERO  r-      no     yes    yes        -    -    -  zero  -
  7f0000001000  none     -     -       -      -      -          -    -    -  -     -

Writing in the parent gives the VMA an anon_vma and a page of its own.

  [1] mm> poke(a, 7)
  = 1
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
  VmFlags: rd wr mr mw me ac 
  [1] mm> status
  VmSize:	    2520 kB
  VmLck:	       0 kB
  VmPin:	       0 kB
  VmRSS:	       4 kB
  RssAnon:	       4 kB
  RssFile:	       0 kB
  RssShmem:	       0 kB
  VmData:	     236 kB
  VmStk:	     132 kB
  VmExe:	      20 kB
  VmLib:	    1528 kB
  VmPTE:	      12 kB
  VmSwap:	       0 kB
  HugetlbPages:	       0 kB
  Threads:	1
