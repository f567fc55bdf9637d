# mincore: the vector may be written into the memory being queried
# follows: LTP mincore01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a + 4K, 1)
mincore(a, 16K, a)
peek(a, 4)
mincore(a, 16K)
