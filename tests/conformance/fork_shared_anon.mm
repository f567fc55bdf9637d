# fork: shared anonymous memory stays shared: the child's writes are the parent's
# follows: linux-mm.md §8.1 (K4)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = fork()
@c poke(a, "from child")
peek(a, 10)
poke(a + 4K, "from parent")
@c peek(a + 4K, 11)
