# mlock: a range with an unmapped part is ENOMEM
# follows: LTP mlock02, munlock02

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock(0x7f0000100000, 4K)
mlock(a, 12K)
maps
munlock(a, 12K)
munlock(0x7f0000100000, 4K)
