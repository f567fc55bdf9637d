# munmap: splitting and removing VMAs restores the layout exactly
# follows: linux-mm.md §3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a + 4K, 4K)
mmap(a + 4K, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
