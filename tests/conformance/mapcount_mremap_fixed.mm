# max_map_count: MREMAP_FIXED needs map_count + 2 < max - 3
# follows: linux-mm.md §5.1 row 7 (MC6)
# map-count: 65525
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
mremap(a, 4K, 4K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP)
mremap(a, 16K, 32K, MREMAP_MAYMOVE)
maps
