# mprotect: a hole after the first VMA is ENOMEM, but the VMAs before it are already changed
# follows: linux-mm.md §4 row 11 (P7), §11.9

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000003000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a, 20K, PROT_READ)
maps
poke(a, 1)
poke(b, 1)
