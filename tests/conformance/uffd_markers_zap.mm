# PTE markers under MADV_DONTNEED, MADV_FREE, MADV_REMOVE and truncation: a poison marker goes (anonymous memory and shmem), a uffd-wp marker goes in anonymous memory (WP_UNPOPULATED) and stays in shmem, a guard marker stays; the range can be poisoned again afterwards
# follows: mm/memory.c zap_nonpresent_ptes, zap_install_uffd_wp_if_needed; mm/madvise.c madvise_free_pte_range

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_WP_UNPOPULATED})
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_POISON, {range={start=a, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+4K, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
madvise(a+16K, 4K, MADV_GUARD_INSTALL)
pagemap a 32K
madvise(a, 32K, MADV_DONTNEED)
pagemap a 32K
ioctl(uffd, UFFDIO_POISON, {range={start=a, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+4K, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
madvise(a, 32K, MADV_FREE)
pagemap a 32K
m = memfd_create("shm", 0)
ftruncate(m, 16K)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_POISON, {range={start=s, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s+4K, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap s 16K
madvise(s, 16K, MADV_DONTNEED)
pagemap s 16K
madvise(s, 16K, MADV_REMOVE)
pagemap s 16K
ftruncate(m, 0)
pagemap s 16K
mprotect(a, 32K, PROT_READ)
