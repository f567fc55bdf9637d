# mremap: growing in place next to a faulted compatible VMA: expands but does not merge across anon_vmas
# follows: linux-mm.md §0.3 rule 5, §5.2 (R15)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
poke(b, 1)
mremap(a, 4K, 8K, 0)
maps
