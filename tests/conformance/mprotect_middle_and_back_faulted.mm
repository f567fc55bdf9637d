# mprotect: the split and re-merge also happen after the pages were written
# follows: linux-mm.md §0.3 (P6b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
mprotect(a + 4K, 8K, PROT_NONE)
maps
mprotect(a + 4K, 8K, PROT_READ|PROT_WRITE)
maps
peek(a + 8K)
