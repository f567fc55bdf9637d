# fault: with SIG_DFL a SIGBUS past EOF kills the process (core dumped)
# follows: linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
signal(SIGBUS, SIG_DFL)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
