# madvise: MADV_DONTNEED on private anonymous memory drops the pages: reads give zero, Rss falls
# follows: linux-mm.md §6.2 (A2); LTP madvise04

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x41, 16K)
madvise(a + 8K, 8K, MADV_DONTNEED)
peek(a)
peek(a + 8K)
mincore(a, 16K)
smaps
