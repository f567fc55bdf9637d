# mprotect: len 0 returns 0 before prot is validated, even on unmapped memory
# follows: linux-mm.md §4 row 3 (P2a), §11.8

mprotect(0x7f0000000000, 0, 0xff)
mprotect(0x7f0000000000, 0, PROT_READ)
mprotect(0, 0, 0x12345678)
