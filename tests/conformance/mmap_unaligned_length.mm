# mmap: the length is rounded up to a whole page
# follows: linux-mm.md §1 (U7)

a = mmap(0x7f0000000000, 1, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000010000, 4097, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a + 4095, 1)
peek(b + 8191)
maps
