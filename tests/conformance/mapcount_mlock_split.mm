# max_map_count: mlock of a middle page at the limit fails with ENOMEM and locks nothing
# follows: linux-mm.md §0.3 (split rule)
# map-count: 65530
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a + 4K, 4K)
maps
mlock(a, 16K)
maps
