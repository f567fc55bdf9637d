# fork: private anonymous pages are shared copy-on-write: each side's writes stay its own
# follows: linux-mm.md §8.1, §8.2 (K1)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, "parent")
c = fork()
@c peek(a, 6)
@c poke(a, "child!")
peek(a, 6)
poke(a + 4K, "P")
@c peek(a + 4K)
@c peek(a, 6)
