# pread: at or past EOF it returns 0 without touching the buffer
# follows: read(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "abc", 3, 0)
pread(fd, "......", 6, 0)
pread(fd, "......", 6, 3)
pread(fd, "......", 6, 100)
pread(fd, 0x7f0000100000, 6, 100)
pread(fd, 0x7f0000100000, 6, 0)
