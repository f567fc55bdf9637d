# max_map_count: unmapping the middle of a VMA at the limit is ENOMEM; head and tail are fine
# follows: linux-mm.md §3 row 5 (MC3, MC4); LTP munmap04
# map-count: 65530
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a + 4K, 4K)
munmap(a, 4K)
munmap(a + 12K, 4K)
maps
munmap(a + 8K, 4K)
maps
