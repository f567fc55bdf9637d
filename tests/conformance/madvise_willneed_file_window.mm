# madvise: MADV_WILLNEED on a file reads the range into the page cache, at most max(io_pages, ra_pages) = 2048 pages, and maps nothing
# follows: mm/madvise.c madvise_willneed() -> vfs_fadvise(POSIX_FADV_WILLNEED) -> force_page_cache_ra()

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32M)
m = mmap(0x7f0000000000, 32M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m + 100*4096, 32M - 100*4096, MADV_WILLNEED)
mincore(m + 98*4096, 4*4096)
mincore(m + 2146*4096, 4*4096)
madvise(m + 5000*4096, 3*4096, MADV_WILLNEED)
mincore(m + 4998*4096, 6*4096)
smaps m
