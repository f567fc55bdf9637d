# madvise: MADV_POPULATE_WRITE on a shared file mapping dirties every page
# follows: linux-mm.md §6.2 (A11c)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 8K, MADV_POPULATE_WRITE)
smaps
