# mremap: old_len 0 on a private mapping is EINVAL
# follows: linux-mm.md §5.1 row 15 (R10)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 0, 4K, MREMAP_MAYMOVE)
mremap(a, 0, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
