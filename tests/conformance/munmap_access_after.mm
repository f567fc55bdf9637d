# munmap: an access to an unmapped region is SIGSEGV SEGV_MAPERR
# follows: LTP munmap01; linux-mm.md §7.1

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
munmap(a, 16K)
peek(a)
poke(a + 8K, 1)
maps
