# mmap: writes through a private memfd mapping stay private
# follows: memfd_create(2)

fd = memfd_create("p", 0)
pwrite(fd, "memfd", 5, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)
poke(m, "M")
peek(m, 5)
pread(fd, ".....", 5, 0)
