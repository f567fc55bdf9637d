# mremap: MREMAP_DONTUNMAP of a shared mapping: the old range refaults the same shared pages
# follows: linux-mm.md §5.2 (R18c)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, "shm")
n = mremap(a, 8K, 8K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP)
peek(a, 3)
poke(n, "SHM")
peek(a, 3)
