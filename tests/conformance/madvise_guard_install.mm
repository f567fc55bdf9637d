# madvise: MADV_GUARD_INSTALL makes accesses SEGV_MAPERR while the VMA stays; smaps shows gu
# follows: linux-mm.md §6.2 (A14, A14b, A14c); LTP madvise12

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x46, 16K)
madvise(a + 4K, 4K, MADV_GUARD_INSTALL)
peek(a + 4K)
poke(a + 4K + 5, 1)
peek(a)
maps
smaps
