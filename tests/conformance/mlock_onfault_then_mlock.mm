# mlock: mlock after mlock2(MLOCK_ONFAULT) clears lf and populates
# follows: LTP mlock201

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock2(a, 16K, MLOCK_ONFAULT)
mlock(a, 16K)
mincore(a, 16K)
smaps
