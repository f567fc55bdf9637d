# vma: an anonymous page moved away and back merges with its old VMA again
# follows: linux-mm.md §0.3, §5.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a + 4K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
mremap(0x7f0000100000, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, a + 4K)
maps
