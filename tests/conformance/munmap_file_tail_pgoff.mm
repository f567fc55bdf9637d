# munmap: the tail piece of a file VMA keeps pgoff + offset
# follows: linux-mm.md §3 (U8), §0.3

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
m = mmap(0x7f0000000000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 8K)
munmap(m + 4K, 8K)
maps
munmap(m + 28K, 4K)
maps
