# madvise: MADV_COLD and MADV_PAGEOUT on a shared file mapping keep the data
# follows: linux-mm.md §6.2 (A4f)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m, "cold")
madvise(m, 4K, MADV_COLD)
madvise(m, 4K, MADV_PAGEOUT)
peek(m, 4)
