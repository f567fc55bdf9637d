# mremap: growing in place into a gap of exactly the needed size works; one page more does not
# follows: linux-mm.md §5.1 rows 23-24

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
b = mmap(0x7f0000006000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 16K, 28K, 0)
mremap(a, 16K, 24K, 0)
maps
