# msync: an unmapped range (or a range with a hole) is ENOMEM
# follows: LTP msync03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
msync(0x7f0000100000, 4K, MS_SYNC)
msync(a, 32K, MS_SYNC)
msync(a, 32K, MS_ASYNC)
msync(a + 8K, 8K, MS_SYNC)
