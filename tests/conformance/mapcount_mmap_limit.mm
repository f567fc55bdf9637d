# max_map_count: mmap fails only once map_count exceeds the limit: max + 1 VMAs can exist
# follows: linux-mm.md §2.1 row 9, §11.13 (p_maps)
# map-count: 65529
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000004000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
d = mmap(0x7f0000001000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
