# mprotect: PROT_NONE on a shared file mapping makes reads fault with SEGV_ACCERR
# follows: LTP mprotect03

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "data", 4, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m, 4)
mprotect(m, 4K, PROT_NONE)
peek(m)
mprotect(m, 4K, PROT_READ)
peek(m, 4)
