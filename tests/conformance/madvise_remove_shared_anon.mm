# madvise: MADV_REMOVE on shared anonymous memory punches the data out: reads give zero
# follows: linux-mm.md §6.2 (A10b)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(a, 0x44, 8K)
c = fork()
madvise(a, 4K, MADV_REMOVE)
peek(a)
peek(a + 4K)
@c peek(a)
