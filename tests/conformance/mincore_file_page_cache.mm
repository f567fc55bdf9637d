# mincore: a file mapping reports page-cache residency even for pages this mapping never touched
# follows: LTP mincore04; linux-mm.md (mincore)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "cached", 6, 4K)
pwrite(fd, "too", 3, 12K)
ftruncate(fd, 20K)
m = mmap(0x7f0000000000, 20K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 20K)
peek(m + 4K, 6)
mincore(m, 20K)
smaps
