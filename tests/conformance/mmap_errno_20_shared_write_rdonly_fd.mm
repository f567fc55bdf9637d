# mmap: a writable shared mapping of a read-only fd is EACCES; read-only shared and private writable are fine
# follows: linux-mm.md §2.1 row 20 (M6a, M6b); LTP mmap06, mmap07

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)
mmap(NULL, 4K, PROT_WRITE, MAP_SHARED|0x40000000, fd, 0)
r = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)
p = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)
maps
