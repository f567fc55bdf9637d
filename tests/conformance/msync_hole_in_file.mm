# msync: a range covering a shared file mapping and a hole is ENOMEM
# follows: LTP msync03

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
n = mmap(0x7f0000002000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 4K)
poke(m, "a")
poke(n, "b")
msync(m, 12K, MS_SYNC)
msync(0x7f0000001000, 8K, MS_SYNC)
pread(fd, "..", 1, 4K)
