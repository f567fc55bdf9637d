# maps: a newline in a file name prints as \012
# follows: linux-mm.md §10.1 (p_maps)

fd = open("/tmp/a\nb", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
maps
unlink("/tmp/a\nb")
maps
