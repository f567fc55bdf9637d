# madvise: a flag advice on a middle page splits the VMA in three; the opposite advice merges it back
# follows: linux-mm.md §0.3 (A8)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 4K, 4K, MADV_RANDOM)
maps
madvise(a + 4K, 4K, MADV_NORMAL)
maps
