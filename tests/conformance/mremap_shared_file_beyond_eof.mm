# mremap: growing a shared file mapping past EOF works; the new pages are SIGBUS
# follows: linux-mm.md §5.2, §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
mremap(m, 4K, 12K, 0)
peek(m + 4K)
maps
