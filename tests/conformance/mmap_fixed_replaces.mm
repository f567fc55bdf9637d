# mmap: MAP_FIXED over existing pages unmaps them first: the new pages read zero
# follows: linux-mm.md §2.3 (M4d); LTP mremap08 (occupied target)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x55, 16K)
b = mmap(a + 4K, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a + 4K)
peek(a)
peek(a + 12K)
maps
