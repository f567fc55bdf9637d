# mprotect: a length of 1 byte affects one whole page
# follows: linux-mm.md §1 (U7)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 4K, 1, PROT_READ)
maps
mprotect(a + 8K, 4097, PROT_NONE)
maps
