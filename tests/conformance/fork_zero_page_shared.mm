# fork: a page that maps the zero page in the parent reads zero in the child; the child's write allocates
# follows: linux-mm.md §7.3, §8

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
peek(a)
c = fork()
@c peek(a)
@c poke(a, 5)
peek(a)
@c smaps
