# mincore: the first read fault on an uncached page reads the small file around it into the page cache
# follows: LTP mincore04; mm/filemap.c do_sync_mmap_readahead()

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "cached", 6, 4K)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 16K)
peek(m + 8K)
mincore(m, 16K)
smaps
