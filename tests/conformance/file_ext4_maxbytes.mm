# ext4 s_maxbytes for 4 KiB blocks with extents is (2^32 - 1) << 12 = 0xffffffff000: ftruncate,
# pwrite and lseek stop there (EFBIG, a short write, EINVAL)
# follows: fs/ext4/super.c ext4_max_size(); LTP ftruncate04, pwrite05

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 0xffffffff000)
ftruncate(fd, 0xffffffff001)
ftruncate(fd, 0)
lseek(fd, 0xffffffff000, SEEK_SET)
lseek(fd, 0xffffffff001, SEEK_SET)
pwrite(fd, "x", 1, 0xfffffffefff)
pwrite(fd, "xy", 2, 0xfffffffefff)
pwrite(fd, "x", 1, 0xffffffff000)
