# mremap: shrinking unmaps the tail and returns old_address
# follows: linux-mm.md §5.2 (R11)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x33, 16K)
mremap(a, 16K, 4K, 0)
maps
peek(a + 4K)
peek(a + 4095)
