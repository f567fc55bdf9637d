# mmap: a file offset at or beyond MAX_LFS_FILESIZE (or reaching past it) is EOVERFLOW
# follows: linux-mm.md §2.1 rows 8 and 18 (M7h)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0x8000000000000000)
mmap(NULL, 8K, PROT_READ, MAP_SHARED, fd, 0x7ffffffffffff000)
mmap(NULL, 4K, PROT_READ, MAP_PRIVATE, fd, 0xfffffffffffff000)
m = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0x7fffffffe000)
