# madvise: the generally valid advices on a shared file mapping
# follows: LTP madvise01

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 16K, MADV_NORMAL)
madvise(m, 16K, MADV_RANDOM)
madvise(m, 16K, MADV_SEQUENTIAL)
madvise(m, 16K, MADV_WILLNEED)
madvise(m, 16K, MADV_DONTNEED)
madvise(m, 16K, MADV_DONTFORK)
madvise(m, 16K, MADV_DOFORK)
madvise(m, 16K, MADV_COLD)
madvise(m, 16K, MADV_PAGEOUT)
madvise(m, 16K, MADV_FREE)
madvise(m, 16K, MADV_WIPEONFORK)
madvise(m, 16K, MADV_NORMAL)
smaps
