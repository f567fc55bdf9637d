# mprotect: a private file page read before PROT_WRITE is still copied on the first write
# follows: linux-mm.md §4, §7.4 (F8e)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
peek(m, 5)
mprotect(m, 4K, PROT_READ|PROT_WRITE)
poke(m, "J")
peek(m, 5)
pread(fd, "xxxxx", 5, 0)
smaps
