# madvise: guard markers move with mremap
# follows: linux-mm.md §6.2 (guard rows), §5.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 4K, 4K, MADV_GUARD_INSTALL)
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
peek(n + 4K)
peek(n)
