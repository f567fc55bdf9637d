# userfaultfd: registering a range again with the same context and mode changes nothing: the registered VMA is not split at the new range's ends (found by the fuzzer). The handshake and REGISTER go through a raw pointer (see uffd_api_register)
# follows: mm/userfaultfd.c userfaultfd_register_range ("already registered into this userfaultfd")

a = mmap(0x7f0000000000, 48K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000080000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
poke(b+8K, 0, 0x30, 0, 0, 0, 0x7f, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
maps
poke(b+8K, 0, 0x50, 0, 0, 0, 0x7f, 0, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
maps
smaps a
