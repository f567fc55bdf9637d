# max_map_count: a MAYMOVE move needs map_count < max - 3 before the move
# follows: linux-mm.md §5.1 row 20
# map-count: 65526
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 8K, 16K, MREMAP_MAYMOVE)
maps
