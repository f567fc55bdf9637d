# madvise: MADV_DONTFORK on shared anonymous memory: the child has no such VMA
# follows: linux-mm.md §6.2 (A8), §8.1 (K2)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 8K, MADV_DONTFORK)
c = fork()
@c maps
@c peek(a)
