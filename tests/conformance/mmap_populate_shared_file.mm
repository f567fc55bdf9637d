# mmap: MAP_POPULATE of a shared file mapping maps every page of the file
# follows: linux-mm.md §2.3 (M9a); LTP mmap12

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "p", 1, 0)
pwrite(fd, "q", 1, 8K)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_POPULATE|MAP_FIXED, fd, 0)
smaps
mincore(m, 12K)
