# file: shrinking a memfd to mid-page, or punching a hole inside a page, marks that cached page dirty as well as zeroing its tail
# follows: mm/shmem.c shmem_undo_range() (folio_mark_dirty before truncate_inode_partial_folio)

fd = memfd_create("m", 0)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m, 16K, MADV_POPULATE_READ)
smaps m
ftruncate(fd, 16K - 100)
smaps m
fallocate(fd, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 4096 + 10, 20)
smaps m
madvise(m, 16K, MADV_PAGEOUT)
mincore(m, 16K)
