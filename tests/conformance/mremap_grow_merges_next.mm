# mremap: growing in place up to a compatible neighbour merges with it
# follows: linux-mm.md §5.2 (R15)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000004000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 8K, 16K, 0)
maps
