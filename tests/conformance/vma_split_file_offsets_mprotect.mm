# vma: mprotect splits of a file mapping carry the right offsets
# follows: linux-mm.md §0.3 (tail keeps pgoff + offset)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
m = mmap(0x7f0000000000, 32K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 16K)
mprotect(m + 8K, 8K, PROT_READ|PROT_WRITE)
mprotect(m + 24K, 4K, PROT_NONE)
maps
