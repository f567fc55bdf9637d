# vma: two mappings of one open file merge when their offsets are contiguous, not otherwise
# follows: linux-mm.md §0.3 rule 4 (M10)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32K)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 4K)
maps
c = mmap(0x7f0000010000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
d = mmap(0x7f0000011000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 12K)
maps
