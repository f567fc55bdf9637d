# file: ftruncate to mid-page of a file page that reclaim dropped brings the block back through the page cache, not uptodate (mincore 0), tail zeroed and dirty; a hole's page is grabbed too but left alone
# follows: fs/ext4/inode.c ext4_block_truncate_page() -> __ext4_block_zero_page_range() (FGP_CREAT; hole: nothing; mapped: read, zero, mark_buffer_dirty)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "aaaa", 4, 0)
pwrite(fd, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 120, 4096)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
msync(m, 8K, MS_SYNC)
peek(m, 1)
madvise(m, 8K, MADV_PAGEOUT)
mincore(m, 8K)
ftruncate(fd, 4096+100)
mincore(m, 8K)
peek(m + 4096 + 96, 8)
smaps m
h = open("/tmp/h", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(h, 4096+100)
ftruncate(h, 8K)
n = mmap(0x7f0001000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, h, 0)
peek(n, 1)
mincore(n, 8K)
smaps n
