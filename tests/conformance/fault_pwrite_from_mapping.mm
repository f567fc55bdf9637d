# fault: pwrite from an unreadable buffer is EFAULT; from a partly readable one it writes the readable bytes
# follows: read(2)/write(2) EFAULT

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a + 4K, 4K, PROT_NONE)
memset(a, 0x61, 4K)
pwrite(fd, a + 4K, 10, 0)
pwrite(fd, a + 4K - 3, 10, 0)
pread(fd, "..........", 10, 0)
