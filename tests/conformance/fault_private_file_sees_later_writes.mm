# fault: a private file page not yet copied sees later writes to the file; once copied it does not
# follows: linux-mm.md §7.4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "aaaa", 4, 0)
pwrite(fd, "bbbb", 4, 4K)
p = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(p, 4)
poke(p + 4K, "B")
pwrite(fd, "cccc", 4, 0)
pwrite(fd, "dddd", 4, 4K)
peek(p, 4)
peek(p + 4K, 4)
