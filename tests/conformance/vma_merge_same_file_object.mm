# vma: mappings of the same file through two open() calls do not merge (different file objects)
# follows: linux-mm.md §0.3 rule 2

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
fd2 = open("/tmp/f", O_RDWR)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd2, 4K)
maps
