# userfaultfd, a thread that really blocks: a thread's load from a missing page waits; UFFDIO_ZEROPAGE maps the zero page and wakes it (the load completes with 0 at the ZEROPAGE's line); a second thread's store to another page waits (its message has UFFD_PAGEFAULT_FLAG_WRITE); UFFDIO_ZEROPAGE_MODE_DONTWAKE fills without waking it, UFFDIO_WAKE then wakes it and the store completes (a copy-on-write of the zero page). The handshake goes through a raw pointer (see uffd_api_register)
# follows: fs/userfaultfd.c userfaultfd_zeropage, userfaultfd_wake, wake_userfault; mm/userfaultfd.c mfill_atomic_pte_zeropage

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(b+8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
t = pthread_create()
u = pthread_create()
@t x = peek(a+8K+3)
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+8K, len=4K}, mode=0})
x
@u poke(a+12K+1, 9)
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+12K, len=4K}, mode=UFFDIO_ZEROPAGE_MODE_DONTWAKE})
ioctl(uffd, UFFDIO_WAKE, {start=a+12K, len=4K})
peek(a+12K+1)
@t peek(a+8K, 4)
smaps a
