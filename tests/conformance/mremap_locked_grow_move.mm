# mremap: growing a MAP_LOCKED mapping while moving it populates and locks the new part
# follows: linux-mm.md §5.2

b = mmap(0x7f0000200000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
n = mremap(b, 8K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000300000)
smaps
munlock(n, 16K)
smaps
