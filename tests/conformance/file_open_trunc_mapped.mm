# open: O_TRUNC on a mapped file makes every mapped page SIGBUS
# follows: open(2) O_TRUNC; linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "data", 4, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m, 4)
g = open("/tmp/f", O_RDWR|O_TRUNC)
peek(m)
