# mmap: a hint into a hole exactly the mapping's size is used
# follows: linux-mm.md §2.4

a = mmap(0x7f0000000000, 12K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munmap(a + 4K, 4K)
b = mmap(a + 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c = mmap(a + 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
