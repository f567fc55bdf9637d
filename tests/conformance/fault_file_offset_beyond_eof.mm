# fault: a mapping whose offset is beyond EOF maps fine but every access is SIGBUS
# follows: linux-mm.md §2.1 (M7i), §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 64K)
peek(m)
maps
