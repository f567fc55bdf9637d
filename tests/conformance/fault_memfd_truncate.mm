# fault: a memfd shrunk by ftruncate raises SIGBUS past the new size
# follows: linux-mm.md §7.5

fd = memfd_create("t", 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m + 4K, 1)
ftruncate(fd, 4K)
peek(m + 4K)
peek(m)
