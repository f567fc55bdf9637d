# mprotect: a range starting in a hole is ENOMEM and changes nothing
# follows: linux-mm.md §4 row 10 (P7b)

a = mmap(0x7f0000001000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(0x7f0000000000, 12K, PROT_READ)
maps
