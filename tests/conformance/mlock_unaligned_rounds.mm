# mlock: the start is rounded down and the length up to whole pages (no EINVAL)
# follows: LTP mlock01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a + 100, 1)
maps
mlock(a + 4095, 2)
maps
munlock(a + 1, 16K - 1)
maps
