# pwrite: a negative offset is EINVAL; an O_RDONLY fd is EBADF; a huge offset past s_maxbytes is EFBIG
# follows: write(2)
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
pwrite(fd, "x", 1, -1)
pwrite(fd, "x", 1, 0)
close(fd)
fd = open("/tmp/f", O_RDWR)
pwrite(fd, "x", 1, 0x7fffffffffff0000)
pwrite(fd, "x", 0, 0)
