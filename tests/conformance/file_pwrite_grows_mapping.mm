# pwrite: writing past EOF makes the mapped pages up to the new EOF accessible
# follows: write(2); linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
pwrite(fd, "late", 4, 8K)
peek(m + 8K, 4)
peek(m + 100)
