# mprotect: one call over several adjacent VMAs changes them all and merges what becomes equal
# follows: linux-mm.md §4, §0.3

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000002000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
mprotect(a, 12K, PROT_READ|PROT_WRITE)
maps
