# mlock: locking a shared file mapping populates it from the page cache
# follows: LTP mlock04

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mlock(m, 16K)
smaps
