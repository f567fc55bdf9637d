# fork: munmap in the child leaves the parent's mapping alone
# follows: linux-mm.md §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
c = fork()
@c munmap(a, 16K)
@c peek(a)
peek(a)
@c maps
maps
