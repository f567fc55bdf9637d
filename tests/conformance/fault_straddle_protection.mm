# fault: a store running from a writable page into a read-only one faults with SEGV_ACCERR part-way
# follows: linux-mm.md §7.1 (F5)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 4K, 4K, PROT_READ)
memset(a + 4K - 3, 0x61, 6)
peek(a + 4K - 3, 6)
