# mremap: growing a growsdown VMA in place keeps gd
# follows: linux-mm.md §5.2

g = mmap(0x7f0000100000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
mremap(g, 8K, 16K, 0)
smaps
