# mprotect: PROT_WRITE on a shared mapping of a read-only fd is EACCES (no VM_MAYWRITE)
# follows: linux-mm.md §2.2, §4 row 12 (M6g); LTP mprotect01
# requires: tmp_noexec=n

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
mprotect(m, 4K, PROT_READ|PROT_WRITE)
mprotect(m, 4K, PROT_READ|PROT_EXEC)
maps
