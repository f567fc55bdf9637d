# mprotect: a shared writable file mapping made read-only and back keeps its data
# follows: LTP mprotect02

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m, "rw")
mprotect(m, 4K, PROT_READ)
poke(m, "x")
mprotect(m, 4K, PROT_READ|PROT_WRITE)
poke(m + 2, "!")
pread(fd, "...", 3, 0)
