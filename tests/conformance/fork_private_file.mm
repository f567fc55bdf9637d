# fork: a private file mapping with COW copies is copied; the child sees the parent's copy
# follows: linux-mm.md §8.1

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "orig", 4, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m, "COPY")
c = fork()
@c peek(m, 4)
@c poke(m, "kid!")
peek(m, 4)
pread(fd, "....", 4, 0)
