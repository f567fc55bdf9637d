# mlock2: MLOCK_ONFAULT on pages already present counts them as Locked
# follows: LTP mlock203

a = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_FIXED, -1, 0)
mlock2(a, 16K, MLOCK_ONFAULT)
smaps
munlock(a, 16K)
smaps
