# userfaultfd write-protect on a private memfd mapping (a file VMA: markers in none PTEs even without WP_UNPOPULATED): a read of a marker maps the page-cache page protected, a store is SIGBUS under UFFD_FEATURE_SIGBUS; MADV_DONTNEED of a protected private copy leaves a uffd-wp marker; after clearing, the store copies on write and the file keeps its bytes
# follows: include/linux/userfaultfd_k.h userfaultfd_wp_use_markers; mm/memory.c zap_install_uffd_wp_if_needed, do_cow_fault

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS})
m = memfd_create("shm", 0)
ftruncate(m, 16K)
pwrite(m, "file", 4, 0)
p = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, m, 0)
poke(p+4K, 1)
ioctl(uffd, UFFDIO_REGISTER, {range={start=p, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=p, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap p 16K
peek(p, 4)
pagemap p 8K
poke(p, 0x46)
madvise(p+4K, 4K, MADV_DONTNEED)
pagemap p 16K
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=p, len=16K}, mode=0})
poke(p, 0x46)
peek(p+4K)
pread(m, p+8K, 4, 0)
peek(p, 4)
