# exec: an instruction fetch from PROT_EXEC memory faults it in like a read; past EOF it is SIGBUS
# follows: linux-mm.md §7.1 (F4), §7.5
# requires: tmp_noexec=n

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, fd, 0)
x = mmap(0x7f0000010000, 4K, PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
exec(m + 4K)
exec(x + 7)
mincore(x, 4K)
