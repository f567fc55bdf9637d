# mremap: MREMAP_DONTUNMAP with MREMAP_FIXED moves to the given address
# follows: linux-mm.md §5.2 (R18)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, "dont")
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, 0x7f0000100000)
peek(n, 4)
peek(a, 4)
maps
