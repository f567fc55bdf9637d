# memfd: growing a mapped memfd makes the following pages accessible
# follows: memfd_create(2); linux-mm.md §7.5

fd = memfd_create("g", 0)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m + 4K, 1)
ftruncate(fd, 12K)
poke(m + 4K, 1)
peek(m + 8K)
smaps
