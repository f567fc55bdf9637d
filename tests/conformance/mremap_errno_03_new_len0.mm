# mremap: new_len 0 (or aligning to 0) is EINVAL even when nothing is mapped
# follows: linux-mm.md §5.1 row 3 (R3, R3b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 4K, 0, 0)
mremap(0x7f0000100000, 4K, 0, MREMAP_MAYMOVE)
mremap(a, 4K, 0xfffffffffffff001, MREMAP_MAYMOVE)
