# madvise: MADV_GUARD_REMOVE clears the markers; the page reads zero afterwards
# follows: linux-mm.md §6.2 (A14e); LTP madvise12

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x47, 16K)
madvise(a, 8K, MADV_GUARD_INSTALL)
madvise(a, 8K, MADV_GUARD_REMOVE)
peek(a)
peek(a + 8K)
