# munmap: a range spanning several VMAs and holes removes every piece, splitting at the edges
# follows: linux-mm.md §3 (U4, U5)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000004000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000008000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munmap(a + 4K, 24K)
maps
peek(a)
peek(a + 4K)
peek(c + 4K)
