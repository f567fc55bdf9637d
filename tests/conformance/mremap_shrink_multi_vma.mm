# mremap: shrinking may cut across several VMAs (6.17+)
# follows: linux-mm.md §5.2 (shrink)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 16K, 4K, 0)
maps
