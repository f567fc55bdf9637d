# mincore: untouched pages of a memfd are not resident; written ones are
# follows: LTP mincore04

fd = memfd_create("h", 0)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m + 4K, 1)
peek(m + 8K)
mincore(m, 16K)
