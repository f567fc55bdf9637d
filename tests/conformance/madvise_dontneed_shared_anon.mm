# madvise: MADV_DONTNEED on shared anonymous memory keeps the data (shmem)
# follows: linux-mm.md §6.2 (A6)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, "shmem")
madvise(a, 8K, MADV_DONTNEED)
mincore(a, 8K)
peek(a, 5)
