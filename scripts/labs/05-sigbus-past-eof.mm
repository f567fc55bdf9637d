# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.SIZE: 6000 5000 7000 4500 8000

Lab 5: SIGBUS past the end of a file

A file mapping may be longer than the file. Bytes after EOF in the last,
partial page read as zero; a whole page past EOF has nothing behind it, and
touching it raises SIGBUS (mm/filemap.c: filemap_fault returns
VM_FAULT_SIGBUS). Shrinking the file later does the same to pages that
were fine before (mm/truncate.c: truncate_pagecache unmaps them from every
mapping).

Create a file of 6000 bytes (more than one page, less than two) and map three pages of it.

  [1] mm> fd = open("/tmp/lab5", O_RDWR|O_CREAT|O_TRUNC, 0644)
  = 3
  [1] mm> ftruncate(fd, 6000)
  = 0
  [1] mm> pwrite(fd, "hello", 5, 4096)
  = 5
  [1] mm> a = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
  = 0x7ffff7fbd000
  [1] mm> maps a 12K
  7ffff7fbd000-7ffff7fc0000 rw-s 00000000 fe:00 260004                     /tmp/lab5
? Did mmap refuse a mapping longer than the file? (yes or no)
!= no
! No: mmap does not check the file size at all; the mapping covers three pages.

The second page holds EOF: its first bytes are file data, the rest reads as zero.

  [1] mm> peek(a + 4K, 8)
  7ffff7fbe000  68 65 6c 6c 6f 00 00 00                           |hello...|
  [1] mm> peek(a + 6000, 4)
  7ffff7fbe770  00 00 00 00                                       |....|
  [1] mm> peek(a + 8K)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbf000} ---
? How many bytes of the second page are file data?
!= 6000 - 4096
? Which signal did the third page give?
!= SIGBUS
? Which si_code?
!= BUS_ADRERR
? And at which address?
!= a + 8K
! SIGBUS with BUS_ADRERR at exactly a + 8K: the page index 2 is at or beyond ceil(6000 / 4096) = 2.

Shrink the file to one page while it is mapped.

  [1] mm> ftruncate(fd, 4096)
  = 0
  [1] mm> peek(a + 4K)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbe000} ---
  [1] mm> peek(a)
  = 0
? Why does the second page fault now when it did not before? (Which page index holds EOF now?)
!= 1
! ftruncate zapped the PTEs of every mapping beyond the new EOF and dropped those page-cache pages; the next access faults, and page index 1 is now at EOF (ceil(4096 / 4096) = 1), so filemap_fault returns SIGBUS.

Growing the file again brings the page back, zero-filled: the old data is gone.

  [1] mm> ftruncate(fd, 8192)
  = 0
  [1] mm> peek(a + 4K, 8)
  7ffff7fbe000  00 00 00 00 00 00 00 00                           |........|

A private mapping keeps its own copies of pages it wrote, but truncation
removes even those (unmap_mapping_range with even_cows).

  [1] mm> b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)
  = 0x7ffff7fbb000
  [1] mm> poke(b + 4K, 0x58)
  = 1
  [1] mm> peek(b + 4K)
  = 88 (0x58)
  [1] mm> ftruncate(fd, 4096)
  = 0
  [1] mm> peek(b + 4K)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbc000} ---
? What happened to the private copy? (Which signal does a read give now?)
!= SIGBUS
! It was unmapped by the truncation like the shared pages; the access past EOF is SIGBUS.
