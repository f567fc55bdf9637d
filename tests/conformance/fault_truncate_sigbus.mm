# fault: after ftruncate shrinks the file, pages past the new EOF raise SIGBUS
# follows: linux-mm.md §7.5 (F9, F9c, F9d); LTP mmap09

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 12K)
m = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
memset(m, 0x55, 12K)
ftruncate(fd, 5000)
peek(m + 4K)
peek(m + 4999)
peek(m + 5000)
peek(m + 8K)
poke(m + 8K, 1)
mincore(m, 12K)
