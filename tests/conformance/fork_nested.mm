# fork: a child forks a grandchild; each keeps its own copy-on-write view
# follows: linux-mm.md §8.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
c = fork()
@c poke(a, 2)
@c g = fork()
@g peek(a)
@g poke(a, 3)
@c peek(a)
peek(a)
@g getpid()
