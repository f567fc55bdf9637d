# madvise: MADV_DONTNEED on an mlocked range is EINVAL; MADV_DONTNEED_LOCKED works
# follows: linux-mm.md §6.2 (A4b, A4d); LTP madvise02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x42, 16K)
mlock(a, 16K)
madvise(a, 16K, MADV_DONTNEED)
peek(a)
madvise(a, 16K, MADV_DONTNEED_LOCKED)
peek(a)
