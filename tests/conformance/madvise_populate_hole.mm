# madvise: MADV_POPULATE_* over a hole is ENOMEM; the pages before the hole are populated
# follows: linux-mm.md §6.2 (A11d, A11j)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000003000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 20K, MADV_POPULATE_WRITE)
mincore(a, 8K)
mincore(b, 8K)
madvise(0x7f0000100000, 4K, MADV_POPULATE_READ)
