# pwrite: with O_APPEND the data goes to EOF and a shared mapping sees the file grow
# follows: write(2) O_APPEND

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC|O_APPEND, 0644)
pwrite(fd, "one", 3, 0)
pwrite(fd, "two", 3, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m, 8)
