# mremap: MREMAP_FIXED with overlapping old and new ranges is EINVAL
# follows: linux-mm.md §5.1 row 13 (R9); LTP mremap05

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, a + 4K)
mremap(a + 4K, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, a)
mremap(a, 4K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, a)
maps
