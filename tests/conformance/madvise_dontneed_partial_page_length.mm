# madvise: a length of one byte covers the whole page
# follows: linux-mm.md §1 (A1i)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x52, 16K)
madvise(a + 4K, 1, MADV_DONTNEED)
peek(a + 4K)
peek(a + 8K)
