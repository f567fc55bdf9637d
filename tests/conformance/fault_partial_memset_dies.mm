# fault: a memset that dies part-way reports how far it got
# follows: linux-mm.md §7.1 (F5)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
signal(SIGSEGV, SIG_DFL)
memset(a + 8K, 1, 16K)
