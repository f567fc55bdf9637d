# mremap: growing shared anonymous memory in place gives zero pages shared with the child
# follows: linux-mm.md §5.2

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
c = fork()
mremap(a, 4K, 8K, 0)
poke(a + 4K, 2)
@c peek(a + 4K)
maps
