# /dev/userfaultfd (6.1): USERFAULTFD_IOC_NEW makes a userfaultfd as userfaultfd(flags) does, with the same flags check; any other request on the device is EINVAL, and so is a read of the new uffd before its UFFDIO_API handshake; after it the non-blocking uffd reads EAGAIN and registers a range; the device cannot be mapped
# follows: fs/userfaultfd.c userfaultfd_dev_ioctl, new_userfaultfd, userfaultfd_read_iter

d = open("/dev/userfaultfd", O_RDWR|O_CLOEXEC)
ioctl(d, USERFAULTFD_IOC_NEW, 0x100)
u = ioctl(d, USERFAULTFD_IOC_NEW, O_CLOEXEC|O_NONBLOCK)
ioctl(d, UFFDIO_API, {api=UFFD_API, features=0})
ioctl(d, FIONREAD, [0])
read(u, "", 32)
b = mmap(0x7f0000100000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(u, UFFDIO_API, b)
read(u, "", 32)
read(u, "", 31)
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(u, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=0})
smaps a
mmap(NULL, 4K, PROT_READ, MAP_SHARED, d, 0)
close(u)
close(d)
