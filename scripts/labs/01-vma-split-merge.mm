# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.BASE: 0x7f0000000000 0x7e0000000000 0x600000000000 0x7f0000400000
# vary.LEN: 16K 20K 24K 32K

Lab 1: VMAs split and merge

A process's address space is a sorted set of VMAs: ranges of pages with the
same protection, flags and backing. Changing part of a VMA splits it; making
it equal to its neighbour again merges them (mm/vma.c: vma_modify tries to
merge first and splits only if that fails).

Map 16K of private anonymous memory at a fixed address.

  [1] mm> a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> maps
  555555554000-555555556000 r--p 00000000 fe:00 260001                     /usr/bin/prog
  555555556000-55555555b000 r-xp 00002000 fe:00 260001                     /usr/bin/prog
  55555555b000-55555555e000 r--p 00007000 fe:00 260001                     /usr/bin/prog
  55555555e000-55555555f000 r--p 00009000 fe:00 260001                     /usr/bin/prog
  55555555f000-555555560000 rw-p 0000a000 fe:00 260001                     /usr/bin/prog
  555555560000-555555581000 rw-p 00000000 00:00 0                          [heap]
  7f0000000000-7f0000004000 rw-p 00000000 00:00 0 
  7ffff7dd2000-7ffff7dd5000 rw-p 00000000 00:00 0 
  7ffff7dd5000-7ffff7dfb000 r--p 00000000 fe:00 260002                     /usr/lib/x86_64-linux-gnu/libc.so.6
  7ffff7dfb000-7ffff7f51000 r-xp 00026000 fe:00 260002                     /usr/lib/x86_64-linux-gnu/libc.so.6
  7ffff7f51000-7ffff7fa4000 r--p 0017c000 fe:00 260002                     /usr/lib/x86_64-linux-gnu/libc.so.6
  7ffff7fa4000-7ffff7fa8000 r--p 001cf000 fe:00 260002                     /usr/lib/x86_64-linux-gnu/libc.so.6
  7ffff7fa8000-7ffff7faa000 rw-p 001d3000 fe:00 260002                     /usr/lib/x86_64-linux-gnu/libc.so.6
  7ffff7faa000-7ffff7fb7000 rw-p 00000000 00:00 0 
  7ffff7fc0000-7ffff7fc2000 rw-p 00000000 00:00 0 
  7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]
  7ffff7fc6000-7ffff7fc8000 r--p 00000000 00:00 0                          [vvar_vclock]
  7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]
  7ffff7fca000-7ffff7fcb000 r--p 00000000 fe:00 260003                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  7ffff7fcb000-7ffff7ff1000 r-xp 00001000 fe:00 260003                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  7ffff7ff1000-7ffff7ffb000 r--p 00027000 fe:00 260003                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  7ffff7ffb000-7ffff7ffd000 r--p 00031000 fe:00 260003                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  7ffff7ffd000-7ffff7fff000 rw-p 00033000 fe:00 260003                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
  ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]

Make the second page read-only.

  [1] mm> mprotect(a + 4K, 4K, PROT_READ)
  = 0
  [1] mm> maps a 16K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
  7f0000001000-7f0000002000 r--p 00000000 00:00 0 
  7f0000002000-7f0000004000 rw-p 00000000 00:00 0 
? How many VMAs cover the 16K now, and why?
!= 3
! Three: [a, a+4K) rw, [a+4K, a+8K) r--, [a+8K, a+16K) rw. One VMA has one protection, so the changed page is split out of the VMA on both sides.

Make it writable again.

  [1] mm> mprotect(a + 4K, 4K, PROT_READ|PROT_WRITE)
  = 0
  [1] mm> maps a 16K
  7f0000000000-7f0000004000 rw-p 00000000 00:00 0 
? How many VMAs cover it now, and why?
!= 1
! The three pieces now have equal flags, no file, contiguous page offsets and compatible anon_vmas, so mprotect merged the middle one with both neighbours.

mprotect is not atomic: it changes VMAs in order and stops at the first hole.

  [1] mm> munmap(a + 8K, 4K)
  = 0
  [1] mm> mprotect(a, 16K, PROT_READ)
  = -1 ENOMEM (Cannot allocate memory)
  [1] mm> maps a 16K
  7f0000000000-7f0000002000 r--p 00000000 00:00 0 
  7f0000003000-7f0000004000 rw-p 00000000 00:00 0 
? What did the failed mprotect change? (Give the end of what it made read-only.)
!= a + 8K
! The VMA before the hole became read-only; the part after the hole was never reached. The call still returned ENOMEM.

Offsets must be page aligned; lengths are rounded up.

  [1] mm> mprotect(a + 1, 4K, PROT_READ)
  = -1 EINVAL (Invalid argument)
? Which errno does an unaligned start give?
!= EINVAL
  [1] mm> mprotect(a, 1, PROT_READ|PROT_WRITE)
  = 0
  [1] mm> maps a 16K
  7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
  7f0000001000-7f0000002000 r--p 00000000 00:00 0 
  7f0000003000-7f0000004000 rw-p 00000000 00:00 0 
