# mremap: moving a piece out of the middle of a VMA splits the source
# follows: linux-mm.md §5.2 (R17b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a + 4K, 0x62, 4K)
n = mremap(a + 4K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
peek(n)
peek(a + 4K)
