# fault: growing the file again makes the pages readable (zero) again
# follows: linux-mm.md §7.5; LTP mmap09

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
memset(m, 0x66, 8K)
ftruncate(fd, 4K)
peek(m + 4K)
ftruncate(fd, 8K)
peek(m + 4K)
peek(m + 4095)
