# max_map_count: an mprotect that must split fails with ENOMEM at the limit; one that splits once may still work below it
# follows: linux-mm.md §4 row 17, §0.3 (MC2, MC5)
# map-count: 65529
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 4K, 4K, PROT_READ)
mprotect(a, 4K, PROT_READ)
maps
mprotect(a + 8K, 4K, PROT_READ)
maps
