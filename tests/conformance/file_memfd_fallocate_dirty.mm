# file: fallocate on a memfd adds pages that are not uptodate (mincore 0, read as a hole) and marks the whole range dirty, the page already there too; reclaim then keeps them
# follows: mm/shmem.c shmem_fallocate() (SGP_FALLOC, folio_mark_dirty), shmem_get_folio_gfp() (SGP_READ: a fallocated folio is a hole)

buf = mmap(0x7f0010000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
fd = memfd_create("m", 0)
pwrite(fd, "abc", 3, 0)
fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16K)
pread(fd, buf, 3, 0)
ftruncate(fd, 16K)
m = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
mincore(m, 16K)
pread(fd, buf, 3, 8K)
mincore(m, 16K)
peek(m + 8K, 1)
mincore(m, 16K)
madvise(m, 16K, MADV_PAGEOUT)
mincore(m, 16K)
smaps m
