# mmap: a file open O_WRONLY cannot be mapped at all (EACCES), private or shared, even PROT_WRITE only
# follows: linux-mm.md §2.1 row 23 (M6c, M6d, M6e); LTP mmap06, mmap07

fd = open("/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)
mmap(NULL, 4K, PROT_WRITE, MAP_SHARED, fd, 0)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)
mmap(NULL, 4K, PROT_NONE, MAP_PRIVATE, fd, 0)
