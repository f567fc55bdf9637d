# maps: a file name starts at column 73; offsets print with at least 8 hex digits
# follows: linux-mm.md §10.1 (p_maps)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 64K)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 60K)
n = mmap(0x7f0000010000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0x123456789000)
maps
