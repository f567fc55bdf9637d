# mincore: written pages, zero-page reads and mlocked pages are resident; untouched ones are not
# follows: LTP mincore02, mincore03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
peek(a + 8K)
mincore(a, 16K)
mlock(a + 4K, 4K)
mincore(a, 16K)
madvise(a, 16K, MADV_DONTNEED)
mincore(a, 16K)
