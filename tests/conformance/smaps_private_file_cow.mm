# smaps: a private file page written becomes Anonymous; the others stay file-backed
# follows: linux-mm.md §7.4, §10.2

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "ab", 2, 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(m)
poke(m + 4K, 1)
smaps
