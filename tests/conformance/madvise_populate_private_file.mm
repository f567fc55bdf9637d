# madvise: MADV_POPULATE_WRITE on a private file mapping makes private copies; POPULATE_READ maps the page cache
# follows: linux-mm.md §6.2 (A11b, A11c)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "pop", 3, 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
madvise(m, 4K, MADV_POPULATE_READ)
madvise(m + 4K, 4K, MADV_POPULATE_WRITE)
smaps
