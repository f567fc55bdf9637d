# fork: when the parent exits, the child lives on and the session switches to it
# follows: linux-mm.md §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 9)
c = fork()
exit(0)
peek(a)
getpid()
exit(0)
