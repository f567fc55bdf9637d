# userfaultfd: every ioctl but UFFDIO_API is EINVAL before the handshake; a bad api and a second handshake are EINVAL; UFFDIO_REGISTER's errnos in the kernel's order (mode, range, no VMA, a regular file, another context's range); registration splits the VMA and sets um; UNREGISTER and close merge it back. The API and REGISTER successes go through a raw pointer (once because mmlab reported fewer features than 6.18's 0x1ffff; uffd_modes_register.mm compares the structs written back)
# follows: fs/userfaultfd.c userfaultfd_api, userfaultfd_register, userfaultfd_unregister, userfaultfd_release
# requires: tmp_fs=ext4

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
userfaultfd(0x100)
b = mmap(0x7f0000100000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_API, {api=0xab, features=0})
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=0})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=8})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+1, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=100}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=0}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_REGISTER, {range={start=0x800000000000, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+64K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
mmap(0x7f0000200000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=0x7f0000200000, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
poke(b+32, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+32)
maps
smaps a
u2 = userfaultfd(0)
ioctl(u2, UFFDIO_API, b)
ioctl(u2, UFFDIO_REGISTER, {range={start=a+12K, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(u2, UFFDIO_UNREGISTER, {start=a, len=4K})
ioctl(uffd, UFFDIO_UNREGISTER, {start=a+64K, len=4K})
ioctl(uffd, UFFDIO_UNREGISTER, {start=a, len=4K})
maps
ioctl(uffd, UFFDIO_UNREGISTER, {start=a, len=4K})
close(uffd)
maps
