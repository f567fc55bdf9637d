# mmap: MAP_POPULATE past EOF succeeds; only the page inside the file is populated
# follows: linux-mm.md §2.3, §11.16 (X2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_POPULATE|MAP_FIXED, fd, 0)
smaps
peek(m, 5)
peek(m + 4K)
