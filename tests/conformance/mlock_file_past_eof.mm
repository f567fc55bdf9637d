# mlock: locking a file mapping that reaches past EOF fails with ENOMEM (the populate fault is SIGBUS -> EFAULT -> ENOMEM)
# follows: mm/gup.c __mm_populate(); mm/mlock.c __mlock_posix_error_return(); LTP mlock02

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 12K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mlock(m, 12K)
smaps
mlock(m, 4K)
