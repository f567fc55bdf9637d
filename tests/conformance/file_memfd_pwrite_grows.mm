# memfd: pwrite past the end grows it; pread of a hole gives zeros
# follows: memfd_create(2)

fd = memfd_create("w", 0)
pwrite(fd, "end", 3, 8K)
pread(fd, "......", 6, 0)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 8K, 3)
mincore(m, 12K)
