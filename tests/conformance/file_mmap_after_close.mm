# mmap: a mapping outlives the fd it was made from
# follows: mmap(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "still", 5, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
close(fd)
peek(m, 5)
maps
