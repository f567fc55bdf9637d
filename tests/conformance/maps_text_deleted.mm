# maps: an unlinked file still mapped shows ' (deleted)'
# follows: linux-mm.md §10.1 (p_maps)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
unlink("/tmp/f")
maps
close(fd)
maps
poke(m, 1)
peek(m)
