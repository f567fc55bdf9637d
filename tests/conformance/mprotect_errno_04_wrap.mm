# mprotect: a range that wraps (or whose aligned length is 0) is ENOMEM
# follows: linux-mm.md §4 row 4 (P5a, P5b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a, -1, PROT_READ)
mprotect(a, 0xfffffffffffff000, PROT_READ)
mprotect(a, 0xfffffffffffff000, 0xff)
