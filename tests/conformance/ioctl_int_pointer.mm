# ioctl with an int passed by pointer, written [value] as strace prints it: FIONREAD (i_size - f_pos) on ext4 and memfd, FIGETBSZ, FS_IOC_GETFLAGS (ext4: FS_EXTENT_FL, memfd: 0), FIONBIO reads its int; a directory has no FIONREAD (ENOTTY)
# follows: fs/ioctl.c do_vfs_ioctl
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
ioctl(fd, FIONREAD, [0])
ioctl(fd, FIGETBSZ, [-1])
ioctl(fd, FS_IOC_GETFLAGS, [0])
ioctl(fd, FIONBIO, [1])
ioctl(fd, FIONBIO, [0])
m = memfd_create("m", 0)
ftruncate(m, 100K)
ioctl(m, FIONREAD, [0])
ioctl(m, FS_IOC_GETFLAGS, [123])
d = open("/tmp", O_RDONLY)
ioctl(d, FIONREAD, [0])
ioctl(d, FS_IOC_GETFLAGS, [0])
