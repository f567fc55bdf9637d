# mmap: a read-only shared mapping shows the file's bytes
# follows: LTP mmap02

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abcdefghijklmnopqrstuvwxyz", 26, 0)
m = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)
peek(m, 32)
poke(m, 1)
