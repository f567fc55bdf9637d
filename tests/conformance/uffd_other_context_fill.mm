# userfaultfd contexts of one mm: COPY, ZEROPAGE and POISON through one uffd fill a range another uffd of the same process registered (mfill only needs the VMA registered), and WRITEPROTECT protects it (mwriteprotect_range looks at VM_UFFD_WP only); MOVE needs the destination registered with the uffd it is called on (EINVAL)
# follows: mm/userfaultfd.c validate_dst_vma, mwriteprotect_range, validate_move_areas

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
u2 = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(u2, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a+16K, 1, 4K)
ioctl(u2, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+4K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_POISON, {range={start=a+8K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+16K, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_MOVE, {dst=a+12K, src=b, len=4K, mode=0})
pagemap a 32K
