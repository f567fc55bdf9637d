# mremap: moving a private file mapping carries its COW pages and file pages
# follows: linux-mm.md §5.2 (R16)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "AAAA", 4, 0)
pwrite(fd, "BBBB", 4, 4K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m, "C")
n = mremap(m, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
peek(n, 4)
peek(n + 4K, 4)
smaps
