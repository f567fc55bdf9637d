# mremap: growing the first page of a 3-page area whose third page is still mapped is ENOMEM
# follows: LTP mremap09

a = mmap(0x7f0000000000, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munmap(a + 4K, 4K)
mremap(a, 4K, 12K, 0)
maps
