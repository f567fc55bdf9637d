# mremap: growing with MREMAP_MAYMOVE moves the mapping and keeps its data
# follows: LTP mremap01; linux-mm.md §5.2 (R16)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
b = mmap(0x7f0000004000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 0x61, 16K)
n = mremap(a, 16K, 64K, MREMAP_MAYMOVE)
peek(n, 4)
peek(n + 16K - 1)
peek(n + 16K)
peek(a)
maps
