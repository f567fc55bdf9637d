# mmap: a directory fd has no ->mmap: ENODEV
# follows: linux-mm.md §2.1 row 25

d = open("/tmp", O_RDONLY)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE, d, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, d, 0)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, d, 0)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_GROWSDOWN, d, 0)
mmap(NULL, 0, PROT_READ, MAP_PRIVATE, d, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, 0, 0)
