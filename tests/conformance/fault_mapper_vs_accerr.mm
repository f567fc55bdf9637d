# fault: no VMA gives SEGV_MAPERR, a VMA without the permission gives SEGV_ACCERR
# follows: linux-mm.md §7.1 (F3, F3b); LTP mmap05

a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
n = mmap(0x7f0000002000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a)
poke(a, 1)
peek(a + 4K)
peek(n)
poke(n, 1)
exec(n)
