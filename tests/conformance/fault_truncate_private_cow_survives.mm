# fault: a private COW copy beyond the new EOF is dropped by truncation: SIGBUS
# follows: linux-mm.md §7.5 (F9d)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m + 4K, "cow")
ftruncate(fd, 4K)
peek(m + 4K)
peek(m)
