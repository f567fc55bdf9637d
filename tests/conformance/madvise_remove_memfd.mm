# madvise: MADV_REMOVE on a memfd mapping punches a hole: zero afterwards, for every mapper
# follows: linux-mm.md §6.2 (A10b)

fd = memfd_create("r", 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
memset(m, 0x33, 8K)
n = mmap(0x7f0000010000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m + 4K, 4K, MADV_REMOVE)
peek(n + 4K)
peek(n)
pread(fd, "..", 2, 4K)
mincore(n, 8K)
