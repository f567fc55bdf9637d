# mprotect: a MAP_NORESERVE mapping made writable stays without ac
# follows: linux-mm.md §2.2, §4 (M9b, P11)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_FIXED, -1, 0)
mprotect(a, 8K, PROT_READ|PROT_WRITE)
smaps
