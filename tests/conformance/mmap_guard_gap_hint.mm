# mmap: a hint inside the stack guard gap below a growsdown VMA is refused; ending exactly at the gap is fine
# follows: linux-mm.md §2.4 (X1, X1b, X1c)

g = mmap(0x7f0001000000, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
a = mmap(g - 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(g - 1M, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c = mmap(g - 1M - 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
