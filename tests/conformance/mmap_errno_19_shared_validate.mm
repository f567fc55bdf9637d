# mmap: MAP_SHARED_VALIDATE refuses unknown flags with EOPNOTSUPP; plain MAP_SHARED drops them
# follows: linux-mm.md §2.1 row 19 (M2h, M2h2, M2j); LTP mmap20

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, MAP_SHARED_VALIDATE|0x40000000, fd, 0)
m = mmap(NULL, 4K, PROT_READ, MAP_SHARED|0x40000000, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED_VALIDATE|MAP_POPULATE|MAP_LOCKED, fd, 0)
maps
