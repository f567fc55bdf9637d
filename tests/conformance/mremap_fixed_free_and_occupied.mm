# mremap: MREMAP_FIXED moves to a free address, or replaces what was mapped there
# follows: LTP mremap08, mremap05

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
t = mmap(0x7f0000100000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(t, 0x7f)
n = mremap(a, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, t)
peek(t)
peek(t + 4K)
maps
n = mremap(a + 4K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000200000)
maps
