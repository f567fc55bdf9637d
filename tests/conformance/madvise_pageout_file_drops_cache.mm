# madvise: MADV_PAGEOUT of a clean file page mapped once drops it from the page cache; a read brings it back
# follows: linux-mm.md §6.2 (COLD/PAGEOUT row)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "paged", 5, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
msync(m, 4K, MS_SYNC)
peek(m, 5)
mincore(m, 4K)
madvise(m, 4K, MADV_PAGEOUT)
mincore(m, 4K)
peek(m, 5)
