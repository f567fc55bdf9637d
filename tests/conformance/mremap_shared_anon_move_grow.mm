# mremap: moving and growing shared anonymous memory keeps it shared with a child
# follows: linux-mm.md §5.2

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = fork()
n = mremap(a, 4K, 16K, MREMAP_MAYMOVE)
poke(n + 8K, "moved")
@c peek(a, 1)
maps
