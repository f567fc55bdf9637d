# fallocate: PUNCH_HOLE without KEEP_SIZE is EOPNOTSUPP; len 0 is EINVAL; a read-only fd is EBADF
# follows: fallocate(2)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4K)
fallocate(fd, 0, 0, 0)
fallocate(fd, 0, 0, 4K)
fallocate(99, 0, 0, 4K)
