# mprotect: a range with no VMA at all is ENOMEM
# follows: linux-mm.md §4 row 8 (P4); LTP mprotect01

mprotect(0x7f0000000000, 4K, PROT_READ)
mprotect(0x7ffffffef000, 4K, PROT_READ)
