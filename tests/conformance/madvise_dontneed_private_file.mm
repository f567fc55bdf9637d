# madvise: MADV_DONTNEED on a private file mapping drops the COW copies: the file shows again
# follows: linux-mm.md §6.2 (A5)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m, "J")
peek(m, 5)
madvise(m, 4K, MADV_DONTNEED)
peek(m, 5)
