# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.BYTE: 0x41 0x5a 0x7e 0x2a
# vary.LEN: 16K 32K 64K

Lab 2: demand paging and the zero page

mmap allocates no memory: it only creates a VMA. Pages appear when the CPU
touches them (mm/memory.c: do_anonymous_page). A read of a never-written
page maps the one shared zero page, read-only; a write allocates a real page.

  [1] mm> a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> pages a 16K
  ADDRESS       PTE   PFN  ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  none  -    -       -      -      -          -    -    -  -     -
  7f0000001000  none  -    -       -      -      -          -    -    -  -     -
  7f0000002000  none  -    -       -      -      -          -    -    -  -     -
  7f0000003000  none  -    -       -      -      -          -    -    -  -     -
? Which pages are present right after mmap? (How many?)
!= 0
! None: mmap only created the VMA.

Read the first page, write the second.

  [1] mm> peek(a)
  = 0
  [1] mm> poke(a + 4K, 0x41)
  = 1
  [1] mm> pages a 16K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  ZERO  r-      no     yes    yes        -    -    -  zero  -
  7f0000001000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
  7f0000002000  none     -     -       -      -      -          -    -    -  -     -
  7f0000003000  none     -     -       -      -      -          -    -    -  -     -
? What value does a load from a + 4K give now?
!= 0x41
? Which pfn does the first page map, and does it count in Rss? (yes or no)
!= no
! The shared zero page (read-only, special): it is not counted in Rss. The written page got a fresh frame of its own.

Now write to the first page too.

  [1] mm> poke(a, 0x42)
  = 1
  [1] mm> pages a 16K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1001  rw      yes    yes    no         1    1    0  anon  yes
  7f0000001000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
  7f0000002000  none     -     -       -      -      -          -    -    -  -     -
  7f0000003000  none     -     -       -      -      -          -    -    -  -     -
? What happened to the zero page mapping? (How many new frames did the write take?)
!= 1
! The write to a read-only zero-page PTE was a copy-on-write fault: the page was replaced by a new zeroed page, which was then written.

A PROT_NONE mapping cannot even be read, and the fault address is exact.

  [1] mm> b = mmap(0x7f0000100000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000100000
  [1] mm> peek(b + 0x123)
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0000100123} ---
  [1] mm> peek(0x7f0000200000)
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x7f0000200000} ---
? Which si_code did the PROT_NONE page's fault get?
!= SEGV_ACCERR
? Which si_code did each fault get, and why? (Give the second one's.)
!= SEGV_MAPERR
! SEGV_ACCERR for the PROT_NONE page (a VMA exists but forbids the access) and SEGV_MAPERR for the address with no VMA at all.
