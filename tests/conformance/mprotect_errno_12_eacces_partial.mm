# mprotect: EACCES on a VMA lacking VM_MAYWRITE stops the walk; the VMAs before it stay changed
# follows: linux-mm.md §4 row 12 (P8, M6g)
# requires: tmp_noexec=n

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello", 5, 0)
close(fd)
fd = open("/tmp/f", O_RDONLY)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
m = mmap(0x7f0000001000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a, 12K, PROT_READ|PROT_WRITE)
maps
mprotect(m, 4K, PROT_WRITE)
mprotect(m, 4K, PROT_EXEC|PROT_READ)
