# mremap: an old range running past the end of its VMA is EFAULT
# follows: linux-mm.md §5.1 row 17

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 32K, 64K, MREMAP_MAYMOVE)
mremap(a + 8K, 16K, 32K, MREMAP_MAYMOVE)
mremap(a, 32K, 32K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
