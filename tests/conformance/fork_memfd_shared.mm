# fork: a memfd shared mapping is shared with the child
# follows: linux-mm.md §8.1

fd = memfd_create("kid", 0)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
c = fork()
@c poke(m, "memfd")
peek(m, 5)
@c maps
