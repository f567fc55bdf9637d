# vma: refilling a hole with an identical mapping merges the three pieces
# follows: linux-mm.md §0.3

a = mmap(0x7f0000000000, 12K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munmap(a + 4K, 4K)
mmap(a + 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
maps
