# mremap: growing into a free range extends the VMA in place; the new tail reads zero
# follows: linux-mm.md §5.2 (R12)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x44, 16K)
mremap(a, 16K, 32K, 0)
maps
peek(a + 16K)
peek(a + 16K - 1)
