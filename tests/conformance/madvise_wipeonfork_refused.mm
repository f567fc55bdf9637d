# madvise: MADV_WIPEONFORK on a file or shared mapping is EINVAL
# follows: linux-mm.md §6.2 (A9, A9c); LTP madvise10

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
s = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(m, 4K, MADV_WIPEONFORK)
madvise(s, 4K, MADV_WIPEONFORK)
