# madvise: MADV_DONTDUMP sets dd on part of a VMA (split); MADV_DODUMP clears it (merge)
# follows: linux-mm.md §6.2 (A13c); LTP madvise08

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 8K, 8K, MADV_DONTDUMP)
maps
smaps a + 8K
madvise(a + 8K, 8K, MADV_DODUMP)
maps
