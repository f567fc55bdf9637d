# smaps: a private mapping of a read-only fd keeps mw (COW) and may be made writable
# follows: linux-mm.md §2.2 (M6b, M6h)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0)
smaps
mprotect(m, 4K, PROT_READ|PROT_WRITE)
smaps
