# mprotect: making a COW-shared page writable again does not break COW: the next write copies
# follows: linux-mm.md §4 (MM_CP_TRY_CHANGE_WRITABLE)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
c = fork()
mprotect(a, 16K, PROT_READ)
mprotect(a, 16K, PROT_READ|PROT_WRITE)
poke(a, 2)
@c peek(a)
peek(a)
