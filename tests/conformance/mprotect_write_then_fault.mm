# mprotect: after PROT_READ a write faults with SEGV_ACCERR; PROT_WRITE makes it work again
# follows: LTP mprotect02; linux-mm.md §7.1

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, "abc")
mprotect(a, 16K, PROT_READ)
poke(a + 1, "x")
peek(a, 3)
mprotect(a, 16K, PROT_READ|PROT_WRITE)
poke(a + 1, "x")
peek(a, 3)
