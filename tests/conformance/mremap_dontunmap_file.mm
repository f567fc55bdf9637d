# mremap: MREMAP_DONTUNMAP of a private file mapping: the old range refaults the file
# follows: linux-mm.md §5.2 (R18c)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "file", 4, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m, "COW!")
n = mremap(m, 4K, 4K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP)
peek(n, 4)
peek(m, 4)
