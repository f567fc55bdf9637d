# fork: a shared file mapping is not copied but refaulted: the child reads the parent's data
# follows: linux-mm.md §8.1 (K4)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m, "file")
c = fork()
@c smaps
@c peek(m, 4)
@c poke(m, "FILE")
peek(m, 4)
