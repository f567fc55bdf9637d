# mlock2: unknown flags are EINVAL
# follows: LTP mlock202

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock2(a, 16K, 2)
mlock2(a, 16K, 0xffffffff)
mlock2(a, 16K, 0)
maps
