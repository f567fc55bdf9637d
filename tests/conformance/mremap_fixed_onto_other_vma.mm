# mremap: MREMAP_FIXED onto part of another VMA unmaps that part
# follows: LTP mremap05, mremap08

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
t = mmap(0x7f0000100000, 16K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, "src")
n = mremap(a, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, t + 4K)
maps
peek(t + 4K, 3)
