# msync: an unaligned start, unknown flags, or MS_SYNC|MS_ASYNC together are EINVAL
# follows: LTP msync03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
msync(a + 1, 4K, MS_SYNC)
msync(a, 4K, 8)
msync(a, 4K, MS_SYNC|MS_ASYNC)
msync(a, 4K, MS_ASYNC|MS_SYNC|MS_INVALIDATE)
msync(a, 4K, 0)
msync(a, 4K, MS_INVALIDATE)
