# ftruncate: truncating to the current size, or growing, leaves the mapped data alone
# follows: ftruncate(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "keep", 4, 0)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
ftruncate(fd, 4)
peek(m, 4)
ftruncate(fd, 8K)
peek(m, 4)
peek(m + 4K)
