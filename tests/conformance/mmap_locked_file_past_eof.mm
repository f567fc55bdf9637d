# mmap: MAP_LOCKED of a file mapping reaching past EOF succeeds
# follows: linux-mm.md §2.3 (X2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "l", 1, 0)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_LOCKED|MAP_FIXED, fd, 0)
smaps
peek(m + 4K)
