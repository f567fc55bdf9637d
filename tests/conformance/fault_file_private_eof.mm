# fault: a private mapping may write the EOF page's tail; past EOF it is SIGBUS too
# follows: linux-mm.md §7.5 (F8b, F8e)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m + 100, "tail")
peek(m + 100, 4)
poke(m + 4K, 1)
peek(m + 4K)
pread(fd, "..........", 10, 0)
