# ftruncate: a negative length is EINVAL, a bad fd EBADF, a read-only fd EINVAL
# follows: ftruncate(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
ftruncate(fd, -1)
ftruncate(99, 4K)
ftruncate(fd, 4K)
ftruncate(-1, -1)
