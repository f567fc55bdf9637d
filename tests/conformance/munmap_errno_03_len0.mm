# munmap: len 0, or a length whose alignment wraps, is EINVAL
# follows: linux-mm.md §3 rows 2-3 (U2); LTP munmap03

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(a, 0)
munmap(0, 0)
munmap(a, 0xfffffffffffff001)
maps
