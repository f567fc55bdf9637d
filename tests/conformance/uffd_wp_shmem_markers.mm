# userfaultfd write-protect on shmem: MODE_WP on a memfd mapping (VmFlags uw); UFFDIO_WRITEPROTECT protects the mapped pages and puts a uffd-wp PTE marker in every none PTE (pagemap: swapped uffd-wp); a read of a marker maps the cached page still protected, and a store from a thread then waits with WRITE|WP; MADV_DONTNEED of a protected page leaves a marker; a store to it waits too; clearing the protection wakes the thread, drops the markers and makes dirty pages writable; UFFDIO_COPY with MODE_WP into a MISSING|WP shmem range maps the new page protected
# follows: mm/mprotect.c change_pte_range; mm/memory.c zap_install_uffd_wp_if_needed, set_pte_range; include/linux/userfaultfd_k.h userfaultfd_wp_use_markers

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_WP_HUGETLBFS_SHMEM})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, "new")
m = memfd_create("shm", 0)
ftruncate(m, 24K)
pwrite(m, "cached", 6, 8192)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
memset(s, 0x61, 4K)
memset(s+4K, 0x62, 4K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
smaps s
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap s 16K
peek(s+8K, 6)
pagemap s+8K 4K
t = pthread_create()
@t poke(s+8K, 0x43)
read(uffd, b+4K, 32)
madvise(s+4K, 4K, MADV_DONTNEED)
pagemap s 16K
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s+8K, len=4K}, mode=0})
peek(s+8K, 6)
@t poke(s+4K, 0x44)
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s, len=16K}, mode=0})
pagemap s 16K
peek(s+4K, 2)
poke(s, 0x45)
d = mmap(0x7f0000300000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 16K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=d, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=d, src=b, len=4K, mode=UFFDIO_COPY_MODE_WP})
pagemap d 8K
peek(d, 3)
@t poke(d+1, 0x46)
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=d, len=4K}, mode=0})
peek(d, 3)
