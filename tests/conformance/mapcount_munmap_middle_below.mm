# max_map_count: one below the limit the middle unmap works (the count may reach the limit)
# follows: linux-mm.md §3 row 5 (MC3); LTP munmap04
# map-count: 65529
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a + 4K, 4K)
maps
