# fork: nested forks get pids 2, 3, 4 in order; @pid reaches each
# follows: linux-mm.md §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
c = fork()
@2 fork()
@3 fork()
@4 poke(a, 4)
@3 peek(a)
@4 peek(a)
@4 exit(0)
@3 exit(1)
@2 maps
