# mremap: old_len and new_len are rounded up to whole pages
# follows: mremap(2)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mremap(a, 16K - 100, 5000, 0)
maps
mremap(a, 5000, 10000, 0)
maps
