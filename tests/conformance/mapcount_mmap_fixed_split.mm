# max_map_count: MAP_FIXED inside an existing VMA at the limit: the unmap cannot split
# follows: linux-mm.md §2.1 rows 9 and 34
# map-count: 65529
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mmap(a + 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
