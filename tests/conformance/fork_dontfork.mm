# fork: a MADV_DONTFORK VMA is absent from the child; accessing it there is SEGV_MAPERR
# follows: linux-mm.md §8.1 (K2)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
madvise(a + 4K, 4K, MADV_DONTFORK)
c = fork()
@c maps
@c peek(a + 4K)
@c peek(a)
maps
