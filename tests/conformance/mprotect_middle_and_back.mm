# mprotect: changing a middle page splits into three; changing it back merges into one
# follows: linux-mm.md §0.3, §4 (P6, P6b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 4K, 4K, PROT_READ)
maps
mprotect(a + 4K, 4K, PROT_READ|PROT_WRITE)
maps
