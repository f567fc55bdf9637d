# vma: a MAP_FIXED anonymous page in the middle of a file mapping leaves correct offsets on both sides
# follows: linux-mm.md §2.3, §0.3

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 4K)
a = mmap(m + 4K, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
