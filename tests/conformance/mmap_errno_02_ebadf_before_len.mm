# mmap: a file mapping on a closed fd is EBADF, even with len 0 or no map type
# follows: linux-mm.md §2.1 row 2 (M2b); LTP mmap08

mmap(NULL, 0, PROT_READ, MAP_PRIVATE, 42, 0)
mmap(NULL, 4K, PROT_READ, 0, 42, 0)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED_VALIDATE|0x40000000, 42, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, -1, 0)
