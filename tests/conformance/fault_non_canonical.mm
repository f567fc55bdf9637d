# fault: a non-canonical address raises #GP: SIGSEGV SI_KERNEL with si_addr 0
# follows: linux-mm.md §7.1 (F6)

peek(0x800000000000)
poke(0x8000000000000000, 1)
peek(0x1234567812345678)
exec(0x800000000000)
