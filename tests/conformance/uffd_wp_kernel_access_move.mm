# userfaultfd write-protect and the kernel, UFFDIO_MOVE: a pread into a uffd-wp page from a thread waits (copy_to_user faults: a WRITE|WP message) until the protection is cleared, then completes; a pwrite from it reads without waiting; UFFDIO_MOVE of a write-protected page drops the uffd-wp bit (the page moves writable into its new place), in either direction between MODE_WP ranges
# follows: mm/userfaultfd.c move_present_pte; mm/memory.c do_wp_page; fs/userfaultfd.c handle_userfault
# requires: tmp_fs=ext4

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(b, 0x42, 8K)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 0x41, 8K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_REGISTER, {range={start=b, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=b, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_MOVE, {dst=a+16K, src=b, len=8K, mode=0})
pagemap a 32K
pagemap b 16K
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=8K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_MOVE, {dst=b+8K, src=a, len=4K, mode=0})
pagemap b 16K
fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abcd", 4, 0)
t = pthread_create()
@t pread(fd, a+4K+1, 2, 0)
read(uffd, b+12K, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+4K, len=4K}, mode=0})
peek(a+4K, 4)
@t pwrite(fd, a+4K, 4, 0)
