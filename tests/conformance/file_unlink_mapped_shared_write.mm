# mmap: writes through a mapping of an unlinked file still work and survive in the page cache
# follows: unlink(2); linux-mm.md §10.1

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
unlink("/tmp/f")
poke(m, "gone")
pread(fd, "....", 4, 0)
open("/tmp/f", O_RDONLY)
