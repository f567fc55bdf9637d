# fallocate: punching a hole in a memfd zeroes the mapped pages
# follows: fallocate(2); memfd_create(2)

fd = memfd_create("p", 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
memset(m, 0x44, 8K)
fallocate(fd, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 0, 4K)
peek(m)
peek(m + 4K)
mincore(m, 8K)
