# mremap: old_len 0 on a shared mapping creates a second mapping of the same pages
# follows: linux-mm.md §5.2 (R19)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mremap(a, 0, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
poke(a, "one")
peek(b, 3)
poke(b + 4K, "two")
peek(a + 4K, 3)
maps
mremap(a, 0, 8K, 0)
