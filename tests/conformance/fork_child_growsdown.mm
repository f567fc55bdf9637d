# fork: the child inherits a growsdown VMA, which grows independently
# follows: linux-mm.md §2.5, §8

g = mmap(0x7f0000100000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
c = fork()
@c poke(g - 16K, 1)
@c maps
maps
