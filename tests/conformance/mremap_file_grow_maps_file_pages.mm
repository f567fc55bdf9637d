# mremap: growing a file mapping in place maps the following file pages
# follows: linux-mm.md §5.2 (R12)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
pwrite(fd, "page2", 5, 8K)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mremap(m, 4K, 12K, 0)
peek(m + 8K, 5)
maps
