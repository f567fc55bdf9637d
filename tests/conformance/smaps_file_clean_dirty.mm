# smaps: a shared file page read is Private_Clean... written it is dirty
# follows: linux-mm.md §10.2

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "a", 1, 0)
pwrite(fd, "b", 1, 4K)
pwrite(fd, "c", 1, 8K)
m = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
msync(m, 12K, MS_SYNC)
peek(m)
smaps
poke(m + 4K, 1)
smaps
