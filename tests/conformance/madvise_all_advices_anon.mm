# madvise: every generally valid advice succeeds on private anonymous memory
# follows: LTP madvise01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
madvise(a, 16K, MADV_NORMAL)
madvise(a, 16K, MADV_RANDOM)
madvise(a, 16K, MADV_SEQUENTIAL)
madvise(a, 16K, MADV_WILLNEED)
madvise(a, 16K, MADV_DONTNEED)
madvise(a, 16K, MADV_DONTFORK)
madvise(a, 16K, MADV_DOFORK)
madvise(a, 16K, MADV_DONTDUMP)
madvise(a, 16K, MADV_DODUMP)
madvise(a, 16K, MADV_WIPEONFORK)
madvise(a, 16K, MADV_KEEPONFORK)
madvise(a, 16K, MADV_COLD)
madvise(a, 16K, MADV_PAGEOUT)
madvise(a, 16K, MADV_FREE)
madvise(a, 16K, MADV_NORMAL)
smaps
