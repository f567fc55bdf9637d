# madvise: MADV_REMOVE on an mlocked shared mapping is EINVAL
# follows: linux-mm.md §6.2 (MADV_REMOVE row)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock(a, 8K)
madvise(a, 8K, MADV_REMOVE)
