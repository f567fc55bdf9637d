# fork: after the child exits, the parent writes its page in place
# follows: linux-mm.md §7.4, §8.2 (p_fork)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
c = fork()
@c exit(0)
poke(a, 2)
peek(a)
smaps
