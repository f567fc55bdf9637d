# mincore: a length that is not a page multiple covers the last partial page
# follows: LTP mincore01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a + 4K, 1)
mincore(a, 4097)
mincore(a, 1)
