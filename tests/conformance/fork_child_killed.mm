# fork: a child killed by SIGSEGV under SIG_DFL does not disturb the parent
# follows: linux-mm.md §7.1, §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
c = fork()
@c signal(SIGSEGV, SIG_DFL)
@c poke(0x7f0000100000, 1)
peek(a)
@c peek(a)
