# mmap: a MAP_FIXED page identical to its neighbours merges back into one VMA
# follows: linux-mm.md §2.3 (M4a), §0.3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
b = mmap(a + 4K, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
