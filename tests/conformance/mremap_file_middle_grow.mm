# mremap: growing a piece cut from the middle of a file mapping moves it with the right offset
# follows: linux-mm.md §5.2; LTP mremap06

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
pwrite(fd, "P3", 2, 12K)
m = mmap(0x7f0000000000, 32K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
n = mremap(m + 12K, 4K, 16K, MREMAP_MAYMOVE)
peek(n, 2)
maps
