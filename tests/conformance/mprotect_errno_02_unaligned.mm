# mprotect: an unaligned start is EINVAL, before len == 0 and before prot
# follows: linux-mm.md §4 row 2 (P1, P2b); LTP mprotect01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 1, 4K, PROT_READ)
mprotect(a + 1, 0, 0xff)
mprotect(0x7f0000100001, 4K, PROT_READ)
