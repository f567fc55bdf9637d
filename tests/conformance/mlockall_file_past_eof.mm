# mlockall: MCL_CURRENT ignores populate errors (a file mapping past EOF): 0
# follows: mm/mlock.c mlockall(); LTP mlockall01
# requires: root=y

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mlockall(MCL_CURRENT)
smaps
munlockall()
