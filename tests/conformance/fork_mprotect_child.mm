# fork: mprotect in the child changes only the child
# follows: linux-mm.md §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
c = fork()
@c mprotect(a, 16K, PROT_READ)
@c poke(a, 1)
poke(a, 1)
@c maps
maps
