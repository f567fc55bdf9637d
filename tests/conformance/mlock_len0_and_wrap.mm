# mlock: len 0 succeeds; a length that wraps is EINVAL
# follows: LTP mlock02

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 0)
mlock(0x7f0000100000, 0)
mlock(a, -1)
munlock(a, -1)
munlock(a, 0)
