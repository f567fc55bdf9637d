# fault: pread into read-only memory is EFAULT; into a partly writable buffer it stops at the fault
# follows: read(2) EFAULT

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "0123456789", 10, 0)
a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a + 4K, 4K, PROT_READ)
pread(fd, a + 4K, 10, 0)
pread(fd, a + 4K - 4, 10, 0)
peek(a + 4K - 4, 4)
