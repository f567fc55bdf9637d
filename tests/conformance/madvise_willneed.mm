# madvise: MADV_WILLNEED succeeds on anonymous memory and on a file mapping past EOF
# follows: linux-mm.md §6.2 (A11, A11l); LTP madvise01, madvise05

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
a = mmap(0x7f0000010000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(m, 16K, MADV_WILLNEED)
madvise(a, 16K, MADV_WILLNEED)
mincore(a, 16K)
