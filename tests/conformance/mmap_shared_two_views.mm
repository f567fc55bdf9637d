# mmap: two shared mappings of one file see each other's writes at once
# follows: LTP mmap19

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8K)
m1 = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
m2 = mmap(0x7f0000010000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
poke(m1 + 4K + 7, "one")
peek(m2 + 4K + 7, 3)
poke(m2, "two")
peek(m1, 3)
pread(fd, 0x7f0000000000 + 4K, 3, 0)
