# mmap: a child's writes to a shared file mapping reach the file (msync, pread in the parent)
# follows: LTP mmap21

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
m = mmap(NULL, 16K, PROT_WRITE, MAP_SHARED, fd, 0)
c = fork()
@c memset(m, 0x5a, 16K)
@c exit(0)
msync(m, 16K, MS_SYNC)
pread(fd, "................", 16, 12K)
