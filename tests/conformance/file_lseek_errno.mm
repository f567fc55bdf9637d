# lseek: whence above SEEK_HOLE is EINVAL, a position below 0 or past s_maxbytes EINVAL (ext4:
# 0xffffffff000, memfd: LLONG_MAX), SEEK_CUR 0 reports f_pos, a bad fd EBADF; an ext4 directory
# (htree) ends at the 64-bit hash EOF
# follows: fs/read_write.c ksys_lseek(), generic_file_llseek_size(), vfs_setpos(); LTP lseek01-02

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello world", 11, 0)
lseek(fd, -3, SEEK_END)
lseek(fd, -100, SEEK_CUR)
lseek(fd, -100, SEEK_END)
lseek(fd, 0, SEEK_CUR)
lseek(fd, 5, 5)
lseek(fd, 5, -1)
lseek(fd, -1, SEEK_SET)
lseek(fd, 0x7fffffffffff, SEEK_SET)
lseek(fd, 0xffffffff000, SEEK_SET)
lseek(fd, 0x1000, SEEK_CUR)
lseek(fd, 0, SEEK_CUR)
lseek(99, 0, SEEK_SET)
lseek(-1, 0, 7)
m = memfd_create("x", 0)
lseek(m, 0x7ffffffffffff000, SEEK_SET)
lseek(m, 0x1000, SEEK_CUR)
lseek(m, 0, SEEK_CUR)
write(m, "x", 1)
d = open("/tmp", O_RDONLY)
lseek(d, 0, SEEK_SET)
lseek(d, 1, SEEK_CUR)
lseek(d, -4096, SEEK_END)
