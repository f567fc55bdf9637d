# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.BASE: 0x7f0000000000 0x7e0000000000 0x600000000000 0x7f0000400000
# vary.OFF: 5 0x10 0x123 0xabc

Lab 8: advice 18 under two presets

The number 18 meant two things. In Andrea Arcangeli's 2014 userfault RFC
(seed 004, never merged) it was MADV_USERFAULT: set VM_USERFAULT (`uf`) so
that the first touch of a missing page raises SIGBUS. Linux 4.14 gave the
number to MADV_WIPEONFORK (VM_WIPEONFORK, `wf`) instead. mmlab keeps both
behind policy uffd.madv18; the `policy` command flips it on this machine.

Today (linux-6.18): advice 18 is MADV_WIPEONFORK.

  [1] mm> a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> madvise(a, 4K, 18)
  = 0
  [1] mm> smaps a 4K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
  Size:                  4 kB
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
  VmFlags: rd wr mr mw me ac wf 
  [1] mm> peek(a + 5)
  = 0
  [1] mm> MADV_USERFAULT
  error at column 1: MADV_USERFAULT is not in Linux's headers; it exists under policy uffd.madv18 userfault-rfc
? Which VmFlags mnemonic did advice 18 set, and what did the first read of the page give? (Give the read's value.)
!= 0
! `wf` (VM_WIPEONFORK); the read maps the zero page and returns 0. MADV_USERFAULT is not a name Linux knows.

Switch to the 2014 meaning and advise the second page with the same number.

  [1] mm> policy uffd.madv18 userfault-rfc
  uffd.madv18 = userfault-rfc
  [1] mm> madvise(a + 4K, 4K, 18)
  = 0
  [1] mm> smaps a + 4K 4K
  7f0000001000-7f0000002000 rw-p 00000000 00:00 0 
  Size:                  4 kB
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
  VmFlags: rd wr mr mw me ac uf 
  [1] mm> peek(a + 4K + 5)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000001005} ---
  [1] mm> madvise(a + 4K, 4K, MADV_NOUSERFAULT)
  = 0
  [1] mm> peek(a + 4K + 5)
  = 0
? What did the same advice 18 do under the RFC, and what did the read give? (Which signal?)
!= SIGBUS
? At which address?
!= a + 4K + 5
! It set `uf` (VM_USERFAULT); the read of the missing page raised SIGBUS BUS_ADRERR at the exact address a + 4K + 5 (its si_addr). After MADV_NOUSERFAULT (19) the read succeeds.
