# mremap: a moved file mapping keeps its file offset
# follows: linux-mm.md §5.2; LTP mremap06

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 32K)
pwrite(fd, "eight", 5, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 8K)
n = mremap(m, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
peek(n, 5)
maps
