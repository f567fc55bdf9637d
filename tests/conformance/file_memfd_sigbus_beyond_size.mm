# memfd: a fresh memfd has size 0: every mapped page is SIGBUS until ftruncate
# follows: memfd_create(2); linux-mm.md §7.5

fd = memfd_create("zero", 0)
m = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)
peek(m)
ftruncate(fd, 4K)
poke(m, "ok")
peek(m, 2)
poke(m + 4K, 1)
