# uffd-wp and the rest of the mm: a zero-page PTE takes the bit too (a store to it is SIGBUS with UFFD_FEATURE_SIGBUS); UNREGISTER of part of a MODE_WP VMA splits it and clears the bits of that part only; mprotect PROT_NONE and back keeps them; clearing the protection leaves the zero page read-only (the store then copies it); WRITEPROTECT over a page MADV_DONTNEED dropped has nothing to protect without WP_UNPOPULATED, so the next store just allocates
# follows: mm/userfaultfd.c userfaultfd_clear_vma, uffd_wp_range; mm/mprotect.c change_pte_range, can_change_pte_writable

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS})
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a)
memset(a+4K, 1, 12K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=32K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap a 16K
poke(a, 1)
ioctl(uffd, UFFDIO_UNREGISTER, {start=a+8K, len=8K})
maps
pagemap a 16K
poke(a+8K, 2)
poke(a+4K, 2)
mprotect(a, 8K, PROT_NONE)
mprotect(a, 8K, PROT_READ|PROT_WRITE)
poke(a+4K, 2)
pagemap a 16K
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=8K}, mode=0})
poke(a, 3)
poke(a+4K, 3)
pagemap a 16K
madvise(a+4K, 4K, MADV_DONTNEED)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=8K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
poke(a+4K, 4)
peek(a+4K)
pagemap a 4K
