# madvise: MADV_DONTNEED does not remove guard markers
# follows: linux-mm.md §6.2 (guard rows)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 4K, MADV_GUARD_INSTALL)
madvise(a, 16K, MADV_DONTNEED)
peek(a)
peek(a + 4K)
