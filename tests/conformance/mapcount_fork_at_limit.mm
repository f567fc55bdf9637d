# max_map_count: a process at max + 1 VMAs can still fork; the child keeps the same VMAs
# follows: linux-mm.md §8.1
# map-count: 65531
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
c = fork()
@c mmap(0x7f0000100000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
@c maps
