# fallocate: growing a file to a size that ends mid-page leaves the new EOF page cached but not uptodate, so read-around stops before it and a fault on it reads it alone
# follows: fs/ext4/extents.c ext4_alloc_file_blocks() -> ext4_zero_partial_blocks() (__ext4_block_zero_page_range, FGP_CREAT); mm/readahead.c page_cache_ra_order(); mm/filemap.c filemap_fault() page_not_uptodate

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
fallocate(fd, 0, 6010, 12K)
m = mmap(0x7f0000000000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 20K)
peek(m + 4K, 1)
mincore(m, 20K)
pagemap(m, 20K)
peek(m + 16K, 1)
mincore(m, 20K)
fd2 = open("/tmp/g", O_RDWR|O_CREAT|O_TRUNC, 0644)
fallocate(fd2, 0, 0, 18298)
n = mmap(0x7f0000100000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd2, 0)
peek(n + 16K, 1)
mincore(n, 20K)
pagemap(n, 20K)
