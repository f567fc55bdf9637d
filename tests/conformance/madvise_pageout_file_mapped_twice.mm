# madvise: MADV_PAGEOUT leaves a file page mapped by two processes alone; once only one maps it, it is dropped from the page cache
# follows: mm/madvise.c madvise_cold_or_pageout_pte_range() (folio_mapcount() must equal the folio's pages)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "shared", 6, 0)
s = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
msync(s, 4K, MS_SYNC)
peek(s, 6)
c = fork()
@c peek(s, 6)
madvise(s, 4K, MADV_PAGEOUT)
mincore(s, 4K)
@c smaps s
@c munmap(s, 4K)
madvise(s, 4K, MADV_PAGEOUT)
mincore(s, 4K)
smaps s
peek(s, 6)
@c exit(0)
