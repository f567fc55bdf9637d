# msync: MS_INVALIDATE on an mlocked range is EBUSY
# follows: LTP msync03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
msync(a, 16K, MS_INVALIDATE)
msync(a, 16K, MS_SYNC)
