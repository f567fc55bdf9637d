# fault: SIGBUS under SIG_DFL kills, while SIGSEGV stays caught
# follows: linux-mm.md §7.5

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
signal(SIGBUS, SIG_DFL)
peek(0x7f0000100000)
m = mmap(0x7f0000000000, 4K, PROT_READ, MAP_SHARED|MAP_FIXED, fd, 0)
memset(m, 1, 4K)
peek(m, 16)
