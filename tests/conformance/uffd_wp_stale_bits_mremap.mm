# uffd-wp bits outside MODE_WP: re-registering a write-protected range with MODE_MISSING alone replaces the mode but leaves the PTEs' uffd-wp bits, which no longer stop a store (the bit stays on the now writable page) and survive UNREGISTER; an mremap move of a MODE_WP VMA without UFFD_FEATURE_EVENT_REMAP drops the registration and the moved PTEs lose the bit
# follows: mm/userfaultfd.c userfaultfd_register_range, userfaultfd_clear_vma; mm/mremap.c move_ptes

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 1, 8K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
pagemap a 16K
poke(a, 2)
pagemap a 16K
ioctl(uffd, UFFDIO_UNREGISTER, {start=a, len=16K})
pagemap a 16K
b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(b, 1, 8K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=b, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=b, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
mremap(b, 16K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000200000)
pagemap 0x7f0000200000 16K
smaps 0x7f0000200000
poke(0x7f0000200000, 3)
