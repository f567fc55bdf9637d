# madvise: an advice error aborts the walk: earlier VMAs keep the effect, later ones are untouched
# follows: linux-mm.md §6.1 rule 6 (A4c)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
c = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
poke(b, 2)
peek(c)
madvise(a, 12K, MADV_DONTNEED)
peek(a)
peek(b)
mincore(a, 12K)
