# userfaultfd write-protect, a thread that really blocks: UFFDIO_WRITEPROTECT sets the uffd-wp bit on the populated pages (pagemap uffd-wp, bit 57) and leaves unpopulated anonymous ones alone; a read goes through; a thread's store waits in handle_userfault and its message has UFFD_PAGEFAULT_FLAG_WRITE|UFFD_PAGEFAULT_FLAG_WP; UFFDIO_WAKE alone lets it fault again (a second message); clearing the protection wakes it and the page is writable again; with DONTWAKE the clear leaves it waiting until UFFDIO_WAKE; mprotect never makes a uffd-wp page writable; a fork's child (no EVENT_FORK) loses the bits; close(uffd) resets them
# follows: fs/userfaultfd.c userfaultfd_writeprotect, handle_userfault; mm/userfaultfd.c mwriteprotect_range, uffd_wp_range; mm/memory.c do_wp_page

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 0x41, 12K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap a 32K
peek(a+5)
t = pthread_create()
@t poke(a+4K+3, 0x42)
read(uffd, b, 32)
peek(a+4K+3)
ioctl(uffd, UFFDIO_WAKE, {start=a+4K, len=4K})
read(uffd, b, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+4K, len=4K}, mode=0})
peek(a+4K+3)
pagemap a 32K
@t memset(a+8K+1, 0x43, 2)
read(uffd, b, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+8K, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_DONTWAKE})
read(uffd, b, 32)
pagemap a+8K 4K
ioctl(uffd, UFFDIO_WAKE, {start=a+8K, len=4K})
peek(a+8K, 4)
mprotect(a, 32K, PROT_READ)
mprotect(a, 32K, PROT_READ|PROT_WRITE)
pagemap a 32K
smaps a
pid = fork()
@pid pagemap a 32K
@pid poke(a, 1)
@pid close(uffd)
@1 close(uffd)
pagemap a 32K
poke(a, 0x44)
peek(a, 2)
