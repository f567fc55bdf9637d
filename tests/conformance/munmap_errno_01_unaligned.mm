# munmap: an unaligned start is EINVAL, checked before the length (even len 0)
# follows: linux-mm.md §3 row 1 (U1); LTP munmap03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a + 1, 4K)
munmap(a + 0x800, 0)
munmap(a + 1, -1)
maps
