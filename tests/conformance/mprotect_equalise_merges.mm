# mprotect: two adjacent never-faulted anonymous VMAs merge once their prot is equal
# follows: linux-mm.md §4 (P10)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000002000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
mprotect(a, 8K, PROT_READ|PROT_WRITE)
maps
