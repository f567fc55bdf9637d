# mremap: unknown flags are EINVAL before the alignment of old_address
# follows: linux-mm.md §5.1 row 1 (R2, R2b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a + 1, 4K, 8K, 8)
mremap(a, 4K, 8K, MREMAP_MAYMOVE|0x100)
mremap(a, 4K, 4K, 0x80000000)
