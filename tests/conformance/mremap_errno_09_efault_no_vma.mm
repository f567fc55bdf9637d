# mremap: an old_address no VMA contains is EFAULT
# follows: linux-mm.md §5.1 row 9 (R7, R7b); LTP mremap03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(0x7f0000100000, 4K, 8K, MREMAP_MAYMOVE)
mremap(a + 16K, 4K, 8K, MREMAP_MAYMOVE)
munmap(a, 4K)
mremap(a, 8K, 16K, MREMAP_MAYMOVE)
