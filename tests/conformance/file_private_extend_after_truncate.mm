# mmap: a private mapping sees a page again after the file grows back (zeroed)
# follows: linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "zzzz", 4, 4K)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(m + 4K, 4)
ftruncate(fd, 4K)
peek(m + 4K)
ftruncate(fd, 8K)
peek(m + 4K, 4)
