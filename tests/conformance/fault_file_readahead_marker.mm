# fault: fault-around skips the page carrying the readahead marker (ra_pages/4 before the window's end); faulting on it reads the next window, whose first folio (order 2) fault-around skips whole
# follows: mm/filemap.c next_uptodate_folio(), do_async_mmap_readahead(); mm/readahead.c page_cache_async_ra()

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64M)
o = mmap(0x7f0100000000, 64M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
m = mmap(0x7f0000000000, 64M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 4096*4096)
peek(m + 4610*4096)
smaps m
mincore(o + 5118*4096, 4*4096)
peek(m + 4608*4096)
smaps m
mincore(o + 7166*4096, 4*4096)
peek(m + 5125*4096)
smaps m
