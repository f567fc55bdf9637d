# mincore: a page written then made PROT_NONE is still resident
# follows: LTP mincore02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
mprotect(a, 16K, PROT_NONE)
mincore(a, 16K)
