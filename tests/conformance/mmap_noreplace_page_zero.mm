# mmap: MAP_FIXED_NOREPLACE at address 0 maps page 0 for root, then EEXIST
# follows: linux-mm.md §2.1 rows 14-15 (M8a)
# requires: root=y

z = mmap(0, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mmap(0, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(0, 4K)
