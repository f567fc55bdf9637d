# vma: madvise splits of a shared file mapping carry the right offsets
# follows: linux-mm.md §0.3

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
m = mmap(0x7f0000000000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
madvise(m + 4K, 4K, MADV_RANDOM)
madvise(m + 16K, 8K, MADV_DONTFORK)
maps
