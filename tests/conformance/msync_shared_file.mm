# msync: MS_SYNC on a shared file mapping: the file holds the written bytes
# follows: LTP msync01, msync02

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m + 4K, "synced")
msync(m, 8K, MS_SYNC)
msync(m, 8K, MS_ASYNC)
msync(m, 8K, MS_INVALIDATE)
pread(fd, "......", 6, 4K)
