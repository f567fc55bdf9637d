# madvise: MADV_RANDOM sets rr, MADV_SEQUENTIAL sets sr (replacing rr), MADV_NORMAL clears both
# follows: linux-mm.md §6.2 (A13, A13b, A13e); LTP madvise01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_RANDOM)
smaps
madvise(a, 16K, MADV_SEQUENTIAL)
smaps
madvise(a, 16K, MADV_NORMAL)
smaps
