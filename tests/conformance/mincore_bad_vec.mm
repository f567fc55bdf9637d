# mincore: a vector address that is not writable is EFAULT
# follows: LTP mincore01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
r = mmap(0x7f0000010000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mincore(a, 16K, r)
mincore(a, 16K, 0x7f0000100000)
mincore(a, 16K, 0x800000000000)
mincore(a, 16K, a + 8K)
