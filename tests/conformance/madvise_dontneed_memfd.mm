# madvise: MADV_DONTNEED on a memfd mapping keeps the data
# follows: linux-mm.md §6.2 (A6)

fd = memfd_create("dn", 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m + 4K, "memfd")
madvise(m, 8K, MADV_DONTNEED)
peek(m + 4K, 5)
maps
