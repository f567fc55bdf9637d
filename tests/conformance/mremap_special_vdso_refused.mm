# mremap: an anonymous mapping moved twice keeps a single VMA and its content
# follows: linux-mm.md §5.2 (R16)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a + 8K, "twice")
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
m = mremap(n, 16K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000200000)
peek(m + 8K, 5)
maps
