# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Hardware memory errors (mm/memory-failure.c). This project's kernel is
built without CONFIG_MEMORY_FAILURE (MADV_HWPOISON is EINVAL, as on the
host); turn it on first.

  [1] mm> a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbe000
  [1] mm> poke(a, "data")
  = 4
  [1] mm> madvise(a, 4K, MADV_HWPOISON)
  = -1 EINVAL (Invalid argument)
  [1] mm> policy config.MEMORY_FAILURE y
  config.MEMORY_FAILURE = y
  [1] mm> madvise(a, 4K, MADV_HWPOISON)
  = 0
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=0x7ffff7fbe000, si_addr_lsb=0xc} ---
  [1] mm> peek(a, 4)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=0x7ffff7fbe000, si_addr_lsb=0xc} ---
  [1] mm> poke(a + 4K, "pinned")
  = 6
  [1] mm> pin_user_pages(a + 4K, 1, FOLL_WRITE)
  = 1
  [1] mm> pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND      EXCL
  7ffff7fbe000  marker   -     -       -      -      -           -    -    -  hwpoison  -
  7ffff7fbf000  present  1001  rw      yes    yes    no       1025    1    1  anon      yes
  [1] mm> inject-fault hwpoison 0x1001
  pfn 0x1001: dirty LRU page: Failed
  [1] mm> peek(a + 4K, 1)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=0x7ffff7fbf000, si_addr_lsb=0xc} ---
  [1] mm> dmesg
  [    0.000004] Injecting memory failure for pfn 0x1000 at process virtual address 0x7ffff7fbe000
  [    0.000004] Memory failure: 0x1000: Sending SIGBUS to prog:1 due to hardware memory corruption
  [    0.000004] Memory failure: 0x1000: recovery action for dirty LRU page: Recovered
  [    0.000006] MCE: Killing prog:1 due to hardware memory corruption fault at 7ffff7fbe000
  [    0.000007] Memory failure: 0x1001: dirty LRU page still referenced by 1024 users
  [    0.000007] Memory failure: 0x1001: recovery action for dirty LRU page: Failed
  [    0.000009] MCE: Killing prog:1 due to hardware memory corruption fault at 7ffff7fbf000
  [1] mm> fd = open("/mnt/pmem/f", O_RDWR|O_CREAT, 0644)
  = 3
  [1] mm> pwrite(fd, "pmem", 4, 0)
  = 4
  [1] mm> p = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)
  = 0x7ffff7fbd000
  [1] mm> peek(p, 4)
  7ffff7fbd000  70 6d 65 6d                                       |pmem|
  [1] mm> inject-fault hwpoison 0x40000
  pfn 0x40000: dax page: Recovered
  [1] mm> pread(fd, "", 4, 0)
  = -1 EIO (Input/output error)
  [1] mm> check
  ok
