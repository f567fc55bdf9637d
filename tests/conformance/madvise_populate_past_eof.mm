# madvise: MADV_POPULATE_READ of a file page past EOF is EFAULT
# follows: linux-mm.md §6.2 (A11k)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 16K, MADV_POPULATE_READ)
madvise(m, 4K, MADV_POPULATE_READ)
mincore(m, 16K)
