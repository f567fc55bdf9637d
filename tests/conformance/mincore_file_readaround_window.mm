# mincore: a read fault on an uncached page of a large file reads ra_pages (2048 on this disk) centred on it, clipped at page 0 and at EOF
# follows: mm/filemap.c do_sync_mmap_readahead() (mmap read-around: start = index - ra_pages/2); /sys/block/vda/queue/read_ahead_kb = 8192

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32M)
m = mmap(0x7f0000000000, 32M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 4096*4096)
mincore(m + 3070*4096, 4*4096)
mincore(m + 5118*4096, 4*4096)
smaps m
peek(m + 100*4096)
mincore(m, 4*4096)
mincore(m + 2046*4096, 4*4096)
peek(m + 8000*4096)
mincore(m + 6974*4096, 4*4096)
mincore(m + 8188*4096, 4*4096)
