# mremap: a same-size MREMAP_FIXED move may span several VMAs and a hole (6.17+)
# follows: linux-mm.md §5.2, §11.5 (R20c, R20d)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000004000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(b, 2)
poke(c, 3)
n = mremap(a, 20K, 20K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
peek(n + 8K)
peek(n + 16K)
