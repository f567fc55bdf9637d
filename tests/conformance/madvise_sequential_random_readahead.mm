# madvise: MADV_SEQUENTIAL makes a fault read ra_pages ahead of it (sync readahead), MADV_RANDOM only the page itself
# follows: mm/filemap.c do_sync_mmap_readahead() (VM_SEQ_READ: page_cache_sync_ra; VM_RAND_READ: none)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32M)
o = mmap(0x7f0100000000, 32M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
s = mmap(0x7f0000000000, 16M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(s, 16M, MADV_SEQUENTIAL)
peek(s + 2000*4096)
mincore(o + 1998*4096, 4*4096)
mincore(o + 4046*4096, 4*4096)
r = mmap(0x7f0200000000, 16M, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 16M)
madvise(r, 16M, MADV_RANDOM)
peek(r + 2000*4096)
mincore(o + 6094*4096, 4*4096)
smaps r
