# mremap: growing without MREMAP_MAYMOVE when the next page is taken is ENOMEM
# follows: linux-mm.md §5.1 row 24 (R13, R17); LTP mremap04

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
b = mmap(0x7f0000004000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 16K, 32K, 0)
mremap(a, 8K, 12K, 0)
maps
