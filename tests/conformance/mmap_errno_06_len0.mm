# mmap: len 0 is EINVAL for anonymous and file mappings alike
# follows: linux-mm.md §2.1 row 6 (M2c); LTP mmap06

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0)
mmap(0x7f0000000000, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mmap(NULL, 0, 0xff, 0, -1, 0)
