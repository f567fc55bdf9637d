# madvise: an unaligned start is EINVAL (after the advice check)
# follows: linux-mm.md §6.1 rule 2 (A1c); LTP madvise02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 100, 4K, MADV_NORMAL)
madvise(a + 1, 0, MADV_DONTNEED)
madvise(0x7f0000100001, 4K, MADV_WILLNEED)
