# pread: reading a file into a shared mapping of the same file
# follows: read(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "0123456789abcdef", 16, 0)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
pread(fd, m + 4K, 16, 0)
peek(m + 4K, 16)
pread(fd, "................", 16, 4K)
