# maps: a memfd mapping shows /memfd:NAME (deleted) on 00:01
# follows: linux-mm.md §10.1 (p_maps)

fd = memfd_create("mymemfd", 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
p = mmap(0x7f0000010000, 4K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 4K)
maps
smaps
