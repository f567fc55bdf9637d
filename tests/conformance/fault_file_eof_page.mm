# fault: the last partial page of a file is readable; the first whole page past EOF is SIGBUS
# follows: linux-mm.md §7.5 (F8, F8c, F8d); LTP mmap13

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "0123456789", 10, 0)
m = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m + 9)
peek(m + 4095)
peek(m + 4096)
poke(m + 8K + 100, 1)
