# mremap: a grown mlocked mapping stays locked and the new part is populated
# follows: linux-mm.md §5.2

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock(a, 8K)
mremap(a, 8K, 16K, 0)
mincore(a, 16K)
smaps
