# userfaultfd, a thread that really blocks: UFFDIO_WAKE without a fill wakes the thread, which faults again and waits again (a second PAGEFAULT message is queued); a WAKE of another range leaves it waiting; close(uffd) unregisters the range and wakes the waiters, whose access then completes as an ordinary missing fault (a zero-filled page; the VMA merges back). The handshake goes through a raw pointer (see uffd_api_register)
# follows: fs/userfaultfd.c userfaultfd_wake, handle_userfault (VM_FAULT_RETRY), userfaultfd_release

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(b+8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
t = pthread_create()
u = pthread_create()
@t x = peek(a+4K+2)
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_WAKE, {start=a+8K, len=4K})
read(uffd, b+4K, 32)
ioctl(uffd, UFFDIO_WAKE, {start=a+4K, len=4K})
read(uffd, b+4K, 32)
read(uffd, b+4K, 32)
@u poke(a+8K, "hi")
maps
close(uffd)
x
peek(a+8K, 2)
maps
smaps a
