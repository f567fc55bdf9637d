# madvise: MADV_COLD clears the accessed bits: smaps Referenced falls to 0
# follows: linux-mm.md §6.2 (COLD row), §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
smaps
madvise(a, 16K, MADV_COLD)
smaps
