# mmap: the rest of the last file page past EOF reads zero; writes there never reach the file
# follows: LTP mmap01; linux-mm.md §7.5 (F8, F8b)

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "hello world", 11, 0)
m = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 11, 8)
poke(m + 11, "XYZ")
msync(m, 4K, MS_SYNC)
pread(fd, 0x7f0000000000 + 0, 16, 0)
munmap(m, 4K)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 8, 8)
