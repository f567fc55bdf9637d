# mprotect: making a private mapping writable adds VM_ACCOUNT (ac)
# follows: linux-mm.md §4 (P11)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
smaps
mprotect(a, 8K, PROT_READ|PROT_WRITE)
smaps
mprotect(a, 8K, PROT_READ)
smaps
