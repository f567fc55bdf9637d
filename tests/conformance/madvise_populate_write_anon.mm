# madvise: MADV_POPULATE_WRITE on anonymous memory allocates every page
# follows: linux-mm.md §6.2 (A11c)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_POPULATE_WRITE)
mincore(a, 16K)
smaps
