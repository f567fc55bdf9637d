# mmap: a file mapping with no map type (or MAP_DROPPABLE) is EINVAL
# follows: linux-mm.md §2.1 row 27 (M2m)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, 0, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_DROPPABLE, fd, 0)
mmap(NULL, 4K, PROT_READ, 0xf, fd, 0)
mmap(NULL, 4K, PROT_READ, MAP_FIXED, fd, 0)
