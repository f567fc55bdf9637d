# mremap: an unaligned old_address is EINVAL, before new_len == 0
# follows: linux-mm.md §5.1 row 2 (R1); LTP mremap02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a + 1, 4K, 8K, MREMAP_MAYMOVE)
mremap(a + 0x800, 4K, 0, 0)
