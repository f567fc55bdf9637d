# userfaultfd fills against uffd-wp markers (WP_UNPOPULATED): UFFDIO_COPY overwrites a marker (the page comes unprotected without MODE_WP), UFFDIO_ZEROPAGE and UFFDIO_POISON refuse it (EEXIST), UFFDIO_MOVE refuses a marker at dst and at src (EEXIST before the source is looked at); with UFFD_FEATURE_SIGBUS a missing fault on a marker is SIGBUS (MODE_MISSING goes first); resolving drops the marker
# follows: mm/userfaultfd.c mfill_atomic_install_pte, mfill_atomic_pte_zeropage, mfill_atomic_pte_poison, move_pages_pte

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_SIGBUS})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
memset(b, 0x42, 16K)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=32K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+4K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_POISON, {range={start=a+4K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_MOVE, {dst=a+8K, src=b, len=4K, mode=0})
ioctl(uffd, UFFDIO_REGISTER, {range={start=b, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_MOVE, {dst=b, src=a+12K, len=4K, mode=0})
ioctl(uffd, UFFDIO_MOVE, {dst=b, src=a+12K, len=4K, mode=UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES})
pagemap a 32K
poke(a+16K, 1)
peek(a+20K)
pagemap a 32K
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+20K, len=4K}, mode=0})
pagemap a+20K 4K
