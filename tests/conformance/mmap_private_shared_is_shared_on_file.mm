# mmap: MAP_PRIVATE|MAP_SHARED (= MAP_SHARED_VALIDATE) on a file makes a shared mapping
# follows: linux-mm.md §2.1 (M2n)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
m = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_SHARED, fd, 0)
poke(m, "J")
pread(fd, "xxxxx", 5, 0)
maps
