# munmap: a length of one byte unmaps the whole page
# follows: linux-mm.md §1

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a + 4K, 1)
maps
