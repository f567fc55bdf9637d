# max_map_count: one VMA fewer and MREMAP_FIXED works
# follows: linux-mm.md §5.1 row 7 (MC6)
# map-count: 65524
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
