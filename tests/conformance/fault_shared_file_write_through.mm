# fault: writes through a shared file mapping reach the file; a private mapping's do not
# follows: linux-mm.md §7.4 (F8e; 'shared write: file=Yello')

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
s = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
p = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(s, "Y")
peek(p, 5)
poke(p, "J")
peek(p, 5)
peek(s, 5)
pread(fd, ".....", 5, 0)
