# mincore: a private file mapping reports page-cache pages and COW copies
# follows: LTP mincore03

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m + 4K, 1)
mincore(m, 8K)
