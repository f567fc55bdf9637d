# max_map_count: at max + 1 VMAs even a mapping that would merge is refused (the check comes first)
# follows: linux-mm.md §2.1 row 9
# map-count: 65530
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000003000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
