# userfaultfd write-protect errors: UFFDIO_WRITEPROTECT on a range no MODE_WP VMA covers is ENOENT (unregistered, MISSING-only, or no VMA at all); mode bits other than WP|DONTWAKE, WP with DONTWAKE, an unaligned range: EINVAL; a range that runs past the VMA into a hole is fine; UFFDIO_COPY with MODE_WP into a VMA without MODE_WP is EINVAL, into one with it maps the page uffd-wp; UFFDIO_CONTINUE on anonymous memory is EINVAL
# follows: fs/userfaultfd.c userfaultfd_writeprotect, userfaultfd_copy, userfaultfd_continue; mm/userfaultfd.c mwriteprotect_range, mfill_atomic

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, "copied")
a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=UFFDIO_COPY_MODE_WP})
ioctl(uffd, UFFDIO_CONTINUE, {range={start=a, len=4K}, mode=0})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=32K}, mode=UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=4K}, mode=UFFDIO_WRITEPROTECT_MODE_WP|UFFDIO_WRITEPROTECT_MODE_DONTWAKE})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=4K}, mode=4})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+1, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=0}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+64K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a+28K, len=8K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=a+8K, src=b, len=4K, mode=UFFDIO_COPY_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=a+12K, src=b, len=4K, mode=UFFDIO_COPY_MODE_WP|4})
ioctl(uffd, UFFDIO_COPY, {dst=a+12K, src=b, len=4K, mode=UFFDIO_COPY_MODE_DONTWAKE})
pagemap a 32K
peek(a+8K, 6)
ioctl(uffd, UFFDIO_CONTINUE, {range={start=a+16K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_UNREGISTER, {start=a, len=32K})
pagemap a 32K
