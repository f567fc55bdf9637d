# userfaultfd write-protect, fork and populate: a fork without EVENT_FORK does not copy a MODE_WP shmem VMA's page tables (vma_needs_copy looks at the child's VMA, which lost MODE_WP): the child maps nothing; with UFFD_FEATURE_SIGBUS, MADV_POPULATE_WRITE stops at the protected first page with EFAULT (a write fault handle_userfault turns into SIGBUS), MADV_POPULATE_READ goes through it and maps the zero page under the rest
# follows: mm/memory.c vma_needs_copy; mm/madvise.c madvise_populate

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS})
m = memfd_create("shm", 0)
ftruncate(m, 16K)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
memset(s, 1, 8K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pid = fork()
@pid pagemap s 16K
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 1, 4K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
madvise(a, 16K, MADV_POPULATE_WRITE)
madvise(a, 16K, MADV_POPULATE_READ)
pagemap a 16K
