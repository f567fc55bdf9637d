# mincore: an unaligned start is EINVAL; an unmapped or out-of-range area is ENOMEM
# follows: LTP mincore01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mincore(a + 1, 4K)
mincore(0x7f0000100000, 4K)
mincore(a, 32K)
mincore(0x7ffffffff000, 4K)
mincore(a, 0x800000000000)
mincore(a, 0)
