# madvise: MADV_PAGEOUT unmaps a dirty file page but keeps it cached (PG_reclaim, so a later fault-around skips it); once written back it is dropped, and reads back from disk
# follows: mm/vmscan.c shrink_folio_list() (dirty file folio: folio_set_reclaim, activate); PG_reclaim == PG_readahead

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
pwrite(fd, "dirty", 5, 5*4096)
m = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
madvise(m + 5*4096, 4K, MADV_PAGEOUT)
mincore(m, 64K)
smaps m
munmap(m, 64K)
m = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
smaps m
peek(m + 5*4096, 5)
msync(m, 64K, MS_SYNC)
madvise(m, 64K, MADV_PAGEOUT)
mincore(m, 64K)
peek(m + 5*4096, 5)
smaps m
