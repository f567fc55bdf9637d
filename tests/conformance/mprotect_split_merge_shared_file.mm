# mprotect: splitting a shared file mapping and restoring it merges the pieces back
# follows: LTP mprotect05; linux-mm.md §0.3
# requires: tmp_noexec=n

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 20K)
m = mmap(0x7f0000000000, 20K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mprotect(m + 4K, 4K, PROT_EXEC)
mprotect(m + 12K, 4K, PROT_WRITE)
maps
mprotect(m + 4K, 16K, PROT_READ)
maps
