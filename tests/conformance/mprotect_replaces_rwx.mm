# mprotect: the new prot replaces R/W/X (not OR-ed); PROT_EXEC alone is readable on x86
# follows: linux-mm.md §4, §7.1 (F4c), §11.14

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 7)
mprotect(a, 16K, PROT_EXEC)
maps
peek(a)
poke(a, 1)
mprotect(a, 16K, PROT_WRITE)
maps
peek(a)
poke(a, 8)
