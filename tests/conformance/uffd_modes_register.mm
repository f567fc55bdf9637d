# userfaultfd modes: UFFDIO_API reports every feature of x86-64 6.18 (0x1ffff) and refuses a bit beyond; MODE_WP registers on anonymous memory, MODE_MINOR only on shmem (EINVAL on anonymous memory), with the ioctls= each mode guarantees (WRITEPROTECT with WP, CONTINUE with MINOR); a registration that has every mode asked for already is kept, another replaces the modes; VmFlags uw/ui; with WP_ASYNC a regular file takes MODE_WP alone but not MISSING
# follows: fs/userfaultfd.c userfaultfd_api, userfaultfd_register; mm/userfaultfd.c userfaultfd_register_range; include/linux/userfaultfd_k.h vma_can_userfault
# requires: tmp_fs=ext4

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0x20000})
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=4K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+4K, len=4K}, mode=UFFDIO_REGISTER_MODE_MINOR})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+8K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+12K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
maps
smaps a+8K
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+8K, len=4K}, mode=UFFDIO_REGISTER_MODE_WP})
smaps a+8K
ioctl(uffd, UFFDIO_REGISTER, {range={start=a+8K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})
smaps a+8K
m = memfd_create("shm", 0)
ftruncate(m, 16K)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=4K}, mode=UFFDIO_REGISTER_MODE_MINOR})
ioctl(uffd, UFFDIO_REGISTER, {range={start=s+4K, len=4K}, mode=UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MINOR})
ioctl(uffd, UFFDIO_REGISTER, {range={start=s+8K, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MINOR})
smaps s
smaps s+4K
fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 16K)
f = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=f, len=4K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_REGISTER, {range={start=f, len=4K}, mode=UFFDIO_REGISTER_MODE_MINOR})
u2 = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(u2, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_WP_ASYNC})
ioctl(u2, UFFDIO_API, {api=UFFD_API, features=0})
ioctl(u2, UFFDIO_REGISTER, {range={start=f, len=4K}, mode=UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MISSING})
ioctl(u2, UFFDIO_REGISTER, {range={start=f, len=4K}, mode=UFFDIO_REGISTER_MODE_WP})
smaps f
ioctl(u2, UFFDIO_REGISTER, {range={start=a, len=4K}, mode=UFFDIO_REGISTER_MODE_WP})
ioctl(u2, UFFDIO_UNREGISTER, {start=f, len=4K})
ioctl(uffd, UFFDIO_UNREGISTER, {start=a, len=16K})
close(uffd)
maps
