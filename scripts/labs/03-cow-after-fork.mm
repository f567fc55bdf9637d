# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.PARENT: 0x41 0x11 0x55 0x99
# vary.CHILD: 0x43 0x63 0x7a 0x2b

Lab 3: copy-on-write after fork

fork() copies the address space without copying memory: private pages are
shared by parent and child, write-protected on both sides
(mm/memory.c: copy_present_pte). The first write by either side copies the
page (do_wp_page) — unless nobody else still maps it.

  [1] mm> a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> poke(a, 0x41)
  = 1
  [1] mm> poke(a + 4K, 0x42)
  = 1
  [1] mm> c = fork()
  = 2
  [1] mm> pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1000  r-      yes    yes    no         2    2    0  anon  no
  7f0000001000  present  1001  r-      yes    yes    no         2    2    0  anon  no
  [1] mm> @c pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1000  r-      yes    no     no         2    2    0  anon  no
  7f0000001000  present  1001  r-      yes    no     no         2    2    0  anon  no
? Do parent and child map the same frames? (yes or no)
!= yes
? Are they writable? (yes or no)
!= no
! The same pfns, with mapcount 2, and read-only in both page tables.

The child writes to the first page.

  [1] mm> @c poke(a, 0x43)
  = 1
  [1] mm> @c pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1002  rw      yes    yes    no         1    1    0  anon  yes
  7f0000001000  present  1001  r-      yes    no     no         2    2    0  anon  no
  [1] mm> peek(a)
  = 65 (0x41)
  [1] mm> @c peek(a)
  = 67 (0x43)
? What does the parent read at a, and the child? (Give the parent's byte.)
!= 0x41
? What does the child read at a?
!= 0x43
? What did the child's write do to the frames? (How many processes map the parent's old frame now?)
!= 1
! The child got a new frame for the first page (a copy); the parent still maps the old one, now mapped only once.

The parent writes to the same page.

  [1] mm> poke(a, 0x44)
  = 1
  [1] mm> pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
  7f0000001000  present  1001  r-      yes    yes    no         2    2    0  anon  no
? Did the parent's write copy the page? (yes or no)
!= no
! No: after the child's copy the parent was the only user of the frame, so do_wp_page reused it in place (same pfn, now writable).

When the child exits, the second page is again mapped by the parent alone.

  [1] mm> @c exit(0)
  = ?
  +++ exited with 0 +++
  [1] mm> poke(a + 4K, 0x45)
  = 1
  [1] mm> pages a 8K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7f0000000000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
  7f0000001000  present  1001  rw      yes    yes    no         1    1    0  anon  yes
