# madvise: MADV_PAGEOUT of anonymous memory without swap keeps the pages
# follows: linux-mm.md §6.2 (COLD/PAGEOUT row)
# requires: swap=n

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 2, 16K)
madvise(a, 16K, MADV_PAGEOUT)
smaps
peek(a)
