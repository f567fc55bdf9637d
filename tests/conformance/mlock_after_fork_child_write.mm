# mlock: the parent's locked pages stay locked while the child COWs them
# follows: linux-mm.md §8.1 (p_fork_mlock)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
mlock(a, 16K)
c = fork()
@c poke(a, 2)
peek(a)
mincore(a, 16K)
