# munmap: unmapping only the head or the tail of a VMA shrinks it
# follows: linux-mm.md §3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a, 4K)
munmap(a + 12K, 4K)
maps
