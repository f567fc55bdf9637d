# mremap: old_len == new_len without MAYMOVE returns old_address without checking the range
# follows: linux-mm.md §5.1 row 21, §11.4 (R8, R10b, R20)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 16K, 16K, 0)
mremap(a, 64K, 64K, 0)
mremap(a + 8K, 1M, 1M, 0)
mremap(a, 4K, 4K, MREMAP_MAYMOVE)
maps
