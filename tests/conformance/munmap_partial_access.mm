# munmap: after unmapping part of a mapping the rest stays usable and the hole faults
# follows: LTP munmap02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x11, 16K)
munmap(a + 4K, 4K)
peek(a + 4095)
peek(a + 4K)
peek(a + 8K)
memset(a, 0x22, 16K)
maps
