# ioctl with a struct written as strace prints it: FS_IOC_FSGETXATTR fills struct fsxattr on ext4 files and directories and on a memfd (i_op->fileattr_get), what was written in is overwritten; userfaultfd requests on a regular file are ENOTTY
# follows: fs/ioctl.c ioctl_fsgetxattr, vfs_ioctl
# requires: tmp_fs=ext4

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ioctl(fd, FS_IOC_FSGETXATTR, {})
ioctl(fd, FS_IOC_FSGETXATTR, {fsx_xflags=0xffff, fsx_projid=7})
m = memfd_create("m", 0)
ioctl(m, FS_IOC_FSGETXATTR, {fsx_extsize=4K})
d = open("/tmp", O_RDONLY)
ioctl(d, FS_IOC_FSGETXATTR, {})
ioctl(fd, UFFDIO_API, {api=UFFD_API, features=0})
ioctl(fd, UFFDIO_REGISTER, {range={start=0x7f0000000000, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(99, UFFDIO_API, {api=UFFD_API})
